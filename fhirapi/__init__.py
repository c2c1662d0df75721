"""FHIR R4, read-only, under /fhir/: the serving layer that speaks the clinic's standard (see docs/fhir.md).

Like `web`, it sits above the domain apps (it may import progression, sessions, athletes and core, and nothing
imports it but the project's urls). Every read goes through the apps' selectors, scoped by `core.access`: an
athlete sees only their own record, a coach their teams', a clinician their organisation's; anything else is 404.

The package is called `fhirapi`, not `fhir`, because `fhir` is the namespace of the `fhir.resources` models
that the tests validate every served resource against (R4B models, `fhir.resources.R4B`).

- `codes`: the code systems used (LOINC, SNOMED CT, HL7 terminology, UCUM) and the project's own CodeSystem;
- `resources`: one builder per resource type: a model row in, a FHIR JSON dict out (no query of its own);
- `reads`: the scoped reads the views and the Bundle make;
- `bundle`: `patient_everything(athlete, actor)` and the search Bundle;
- `views`, `urls`: the HTTP side (token or session auth, `application/fhir+json`, OperationOutcome errors).
"""
