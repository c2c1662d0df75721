"""The import pages with the test client: upload errors in plain words (never a 500), the athlete's external id
on the athlete form, and the clinician's own assessment form still asking for pain on palpation."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from athletes.models import Athlete
from imports.models import ImportBatch
from tests.imports.conftest import sample
from web.clinic.forms import AssessmentForm

pytestmark = pytest.mark.django_db


def _post(client, data: bytes, name="file.csv", **fields):
    return client.post("/clinic/imports/", {"file": SimpleUploadedFile(name, data, "text/csv"), "source": "auto",
                                            "unit": "auto", "date_order": "dmy", **fields})


def test_upload_then_preview_page(imports_world, client_for):
    client = client_for(imports_world.clinician)
    response = _post(client, sample("vald_bad_rows_utf16.csv"), "bad.csv")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clinic/imports/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Import 1 line" in page and "No athlete “Nobody Known”" in page and "in the future" in page


@pytest.mark.parametrize("data, words", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00\x10IHDR" * 300, "not a CSV file"),
    (b"Player,When,Fastest\nA,01/01/2025,9\n", "columns were not recognised"),
])
def test_bad_files_answer_in_plain_words(imports_world, client_for, data, words):
    response = _post(client_for(imports_world.clinician), data)
    assert response.status_code == 200 and words in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_limit_is_refused_on_the_form(imports_world, client_for, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = _post(client_for(imports_world.clinician), b"a,b\n" + b"1,2\n" * 400)
    assert response.status_code == 200 and "The file is 2 KB; the limit is 1 KB." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_trace_without_its_athlete_says_so(imports_world, client_for):
    trace = ("Time (s),Speed (m/s)\n" + "\n".join(f"{i / 10},5.0" for i in range(50)) + "\n").encode()
    response = _post(client_for(imports_world.clinician), trace)
    assert response.status_code == 200 and "choose the athlete" in response.content.decode()
    response = _post(client_for(imports_world.clinician), trace, athlete=imports_world.athlete.pk,
                     session_date=str(imports_world.org.today() - datetime.timedelta(days=1)))
    assert response.status_code == 302


def test_the_athlete_form_takes_an_external_id(imports_world, client_for):
    response = client_for(imports_world.clinician).post("/clinic/athletes/new/", {
        "first_name": "Nia", "last_name": "Quick", "external_id": "VALD-77"})
    assert response.status_code == 302
    assert Athlete.objects.get(first_name="Nia").external_id == "VALD-77"


def test_a_clinicians_assessment_still_records_pain_on_palpation(imports_world):
    form = AssessmentForm(data={"assessed_on": datetime.date.today().isoformat()})
    assert not form.is_valid() and "pain_palpation" in form.errors


def test_the_api_still_requires_pain_on_palpation(imports_world, client):
    client.force_login(imports_world.clinician)
    response = client.post("/api/v1/assessments/", {"injury": imports_world.injury.pk}, content_type="application/json")
    assert response.status_code == 400 and "pain_palpation" in response.json()


def test_deciding_a_vmax_proposal_twice_is_a_message_not_a_500(imports_world, client_for):
    from imports.models import VmaxProposal

    w = imports_world
    batch = ImportBatch.objects.create(organisation=w.org, created_by=w.clinician, file_name="gps.csv", sha256="0" * 64,
                                       source="catapult", kind="speed")
    proposal = VmaxProposal.objects.create(organisation=w.org, athlete=w.athlete, batch=batch, speed_mps="8.90",
                                           measured_on=w.org.today(), recorded_vmax_mps="8.50")
    client = client_for(w.clinician)
    url = f"/clinic/imports/vmax/{proposal.pk}/"
    assert client.post(url, {"decision": "dismiss"}).status_code == 302
    again = client.post(url, {"decision": "accept"}, follow=True)
    assert again.status_code == 200 and "already been decided" in again.content.decode()
    w.athlete.refresh_from_db()
    assert str(w.athlete.vmax_mps) == "8.50"
