"""Extra files for an athlete's export zip (progression.services.athlete_export_build(extra_files=...)).

The FHIR R4 Bundle (Patient/{id}/$everything) is built on another branch; at merge it goes in here, e.g.
`{"fhir/everything.json": json.dumps(bundle).encode()}`, and both export pages (clinic and me) carry it.
"""
from django.http import HttpResponse


def zip_download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_extra_files(athlete) -> dict[str, bytes]:
    return {}
