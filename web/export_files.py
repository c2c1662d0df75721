"""Extra files for an athlete's export zip (progression.services.athlete_export_build(extra_files=...)).

The zip carries the athlete's FHIR R4 Bundle (`Patient/{id}/$everything`, the same one /fhir/ serves) as
`fhir/everything.json`; both export pages (clinic and me) pass these files.
"""
import json

from django.http import HttpResponse

from fhirapi.bundle import patient_everything


def zip_download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_extra_files(athlete, actor) -> dict[str, bytes]:
    """The FHIR Bundle of what `actor` may see of the athlete (the export pages check access first)."""
    bundle = patient_everything(athlete, actor)
    return {"fhir/everything.json": json.dumps(bundle, indent=1, ensure_ascii=False).encode()}
