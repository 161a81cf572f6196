"""The API's error shape, shared by every app's router (one place, below the apps)."""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
