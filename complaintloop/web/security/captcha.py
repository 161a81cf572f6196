"""The picture challenge (图形验证码) of the login page.

Each picture is drawn on the server from random characters with noise; only a keyed
digest of its text is kept, in the session, for a few minutes, and any answer consumes
it, right or wrong: one picture, one try.
"""

from __future__ import annotations

import io
import math
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from complaintloop.core import clock

SESSION_KEY = "login_captcha"
# Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S).
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
LENGTH = 5
TTL_SECONDS = 300
WIDTH, HEIGHT = 180, 60
_SALT = "complaintloop.web.security.captcha"


def random_text() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _digest(nonce: str, answer: str) -> str:
    return salted_hmac(_SALT, f"{nonce}:{answer.strip().upper()}", algorithm="sha256").hexdigest()


def issue(session) -> bytes:
    """A new challenge for this session (replacing any earlier one), as a PNG."""
    text = random_text()
    nonce = secrets.token_hex(8)
    session[SESSION_KEY] = {
        "n": nonce,
        "d": _digest(nonce, text),
        "t": int(clock.now().timestamp()),
    }
    return render_png(text)


def check(session, answer: str) -> bool:
    """Whether ``answer`` is the text of this session's current picture. The challenge is
    used up either way."""
    stored = session.pop(SESSION_KEY, None)
    if not stored or not answer:
        return False
    if clock.now().timestamp() - stored.get("t", 0) > TTL_SECONDS:
        return False
    return constant_time_compare(_digest(stored["n"], answer), stored["d"])


def render_png(text: str) -> bytes:
    """Characters each turned and shifted, over and under arcs and speckles."""
    rng = secrets.SystemRandom()
    image = Image.new("RGB", (WIDTH, HEIGHT), (244, 246, 250))
    draw = ImageDraw.Draw(image)
    for _ in range(6):  # background arcs the glyphs sit on
        box = sorted(rng.randint(-40, WIDTH + 40) for _ in range(2))
        ys = sorted(rng.randint(-30, HEIGHT + 30) for _ in range(2))
        draw.arc(
            (box[0], ys[0], box[1] + 1, ys[1] + 1),
            rng.randint(0, 360),
            rng.randint(0, 360),
            fill=_colour(rng, 120, 200),
            width=2,
        )
    font = ImageFont.load_default(size=38)
    step = (WIDTH - 20) / len(text)
    for i, char in enumerate(text):
        glyph = Image.new("RGBA", (56, 56), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((10, 2), char, font=font, fill=(*_colour(rng, 20, 110), 255))
        glyph = glyph.rotate(rng.uniform(-32, 32), resample=Image.Resampling.BICUBIC)
        x = int(10 + i * step + rng.uniform(-4, 4))
        y = int(rng.uniform(-2, 10))
        image.paste(glyph, (x, y), glyph)
    for _ in range(3):  # strokes across the glyphs
        phase, amplitude = rng.uniform(0, math.tau), rng.uniform(4, 12)
        base, period = rng.uniform(15, HEIGHT - 15), rng.uniform(60, 160)
        points = [
            (x, base + amplitude * math.sin(phase + math.tau * x / period))
            for x in range(0, WIDTH + 1, 6)
        ]
        draw.line(points, fill=_colour(rng, 40, 140), width=2)
    for _ in range(260):  # speckles
        draw.point((rng.randrange(WIDTH), rng.randrange(HEIGHT)), fill=_colour(rng, 60, 220))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _colour(rng, low: int, high: int) -> tuple[int, int, int]:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))
