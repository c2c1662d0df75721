"""Technique videos: what may be uploaded, the name it is stored under, and how it is served.

A file is accepted only when its name *and* its first bytes say it is one of the video containers below
(an HTML or SVG page renamed `clip.mp4` is refused). It is stored under a generated name, never the uploader's.
It is served with the content type of this table only, and only when the stored bytes still match it; anything
else (a file stored before these checks, a file planted in storage) goes out as an `application/octet-stream`
download. The serving view adds `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`, so
even a polyglot (a real MP4 header followed by markup) cannot run script from the app's origin.
"""
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

from core import clock

HEAD_BYTES = 64  # enough for every signature below

# ISO base media file format (MP4, MOV, 3GP): `ftyp` at offset 4 and a video major brand. Image brands (HEIC,
# AVIF) and audio-only ones (M4A) share the container and are left out on purpose.
VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9", b"mp41", b"mp42", b"mp71", b"avc1",
    b"dash", b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"msnv", b"f4v ", b"qt  ", b"3gp4", b"3gp5", b"3gp6", b"3gp7",
    b"3gp9", b"3g2a", b"3g2b", b"3g2c", b"XAVC", b"MSNV", b"crx ",
}
# Old QuickTime files may start with another top-level atom instead of `ftyp`.
QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


@dataclass(frozen=True)
class VideoType:
    family: str          # what the first bytes must look like
    content_type: str    # what it is served as
    playable: bool       # browsers play it inline; anything else is a download


VIDEO_TYPES = {
    ".mp4": VideoType("isobmff", "video/mp4", True),
    ".m4v": VideoType("isobmff", "video/mp4", True),
    ".mov": VideoType("quicktime", "video/quicktime", True),
    ".3gp": VideoType("isobmff", "video/3gpp", False),
    ".webm": VideoType("ebml", "video/webm", True),
    ".mkv": VideoType("ebml", "video/x-matroska", False),
    ".avi": VideoType("riff-avi", "video/x-msvideo", False),
}
ACCEPT = ",".join(sorted({t.content_type for t in VIDEO_TYPES.values()} | set(VIDEO_TYPES)))
NOT_A_VIDEO = ("This file is not a video we can store. Upload an MP4, MOV, WebM, MKV, 3GP or AVI clip, "
               "or paste a link to the video instead.")


def sniff(head: bytes) -> set[str]:
    """The container families the first bytes of a file belong to (empty: not a video we know)."""
    families = set()
    if len(head) >= 12 and head[4:8] == b"ftyp":
        if head[8:12] in VIDEO_BRANDS:
            families |= {"isobmff", "quicktime"}
    elif len(head) >= 8 and head[4:8] in QUICKTIME_ATOMS:
        families.add("quicktime")
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM and Matroska
        families.add("ebml")
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        families.add("riff-avi")
    return families


def video_type_for(name: str) -> VideoType | None:
    return VIDEO_TYPES.get(PurePosixPath(name or "").suffix.lower())


def read_head(file) -> bytes:
    """The first bytes of an uploaded or stored file; the file's position is put back."""
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        return file.read(HEAD_BYTES) or b""
    finally:
        if position is not None:
            file.seek(position)


def validate_video_file(file) -> None:
    """Model validator: the name is an allowed video type and the content is that kind of container."""
    if not file:
        return
    if getattr(file, "_committed", False):
        return  # already stored: it was checked when it came in (and is checked again each time it is served)
    kind = video_type_for(getattr(file, "name", ""))
    if kind is None:
        raise ValidationError(NOT_A_VIDEO, code="video_type")
    if kind.family not in sniff(read_head(file)):
        raise ValidationError(NOT_A_VIDEO, code="video_content")


def technique_video_path(instance, filename: str) -> str:
    """`technique/<year>/<month>/<random>.<ext>`: the uploader's file name is not kept."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    if suffix not in VIDEO_TYPES:
        suffix = ".bin"
    return f"technique/{clock.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


@dataclass(frozen=True)
class Serving:
    content_type: str
    inline: bool
    filename: str


def serving_for(name: str, head: bytes, *, pk) -> Serving:
    """How to serve a stored file: its allowlisted type when name and bytes agree, else a plain download."""
    kind = video_type_for(name)
    if kind is not None and kind.family in sniff(head):
        suffix = PurePosixPath(name).suffix.lower()
        return Serving(kind.content_type, kind.playable, f"technique-{pk}{suffix}")
    return Serving("application/octet-stream", False, f"technique-{pk}.bin")
