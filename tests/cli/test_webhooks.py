"""``commerce admin webhooks`` in both modes: register, list, read the log, disable."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_endpoints_are_registered_listed_and_disabled(cli: Cli) -> None:
    made = cli.json(cli.admin("webhooks", "add", "https://hooks.example/orders",
                              "--event", "OrderPlaced", "--event", "OrderCancelled", "--json"))
    assert made["secret"].startswith("whsec_")
    assert made["event_types"] == ["OrderCancelled", "OrderPlaced"]
    endpoint = made["endpoint_id"]
    assert isinstance(endpoint, str) and endpoint.isdigit()  # as the API sends it
    listed = cli.json(cli.admin("webhooks", "list", "--json"))
    assert [(e["endpoint_id"], e["active"]) for e in listed] == [(endpoint, True)]
    table = cli.ok(cli.admin("webhooks", "list"))
    assert endpoint in table and "hooks.example" in table and "OrderPlaced" in table
    assert cli.json(cli.admin("webhooks", "deliveries", endpoint, "--json")) == []
    assert cli.ok(cli.admin("webhooks", "disable", endpoint)).strip() \
        == f"disabled endpoint {endpoint} (https://hooks.example/orders)"
    assert cli.json(cli.admin("webhooks", "list", "--json"))[0]["active"] is False


def test_a_bad_endpoint_is_one_line_and_a_non_zero_exit(cli: Cli) -> None:
    refused = cli.admin("webhooks", "add", "https://hooks.example/x", "--event", "Nope")
    assert refused.exit_code == 1
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("error: unknown event types: Nope")
    assert cli.json(cli.admin("webhooks", "list", "--json")) == []
    missing = cli.admin("webhooks", "disable", "12345")
    assert missing.exit_code == 1 and "(not_found)" in missing.stderr
