"""Authentication backend that adds the role's admin permissions (org.roles) to what
Django's model backend grants from groups and user permissions."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .roles import admin_permissions


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        granted = super().get_all_permissions(user_obj, obj)
        return {*granted, *admin_permissions(getattr(user_obj, "role", ""))}
