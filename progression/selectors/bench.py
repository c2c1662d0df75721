"""The protocol test bench, shared by the `simulate_protocol` command and the clinician's bench page."""
from .. import engine
from ..engine_io import engine_protocol


def run_bench(protocol_row, text: str) -> tuple[dict, list[str]]:
    """Replay a scenario document through a stored protocol. Raises engine.ScenarioError on a malformed file."""
    document = engine.parse_scenario_document(text)
    return engine.run_scenarios(engine_protocol(protocol_row), document)
