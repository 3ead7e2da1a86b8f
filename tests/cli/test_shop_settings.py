"""``commerce admin shop-settings`` in both modes: tax, shipping and fraud settings stored,
shown and reset through the same operations as the API; a bad value is one line."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_settings_are_stored_shown_and_reset(cli: Cli) -> None:
    tax = cli.json(cli.admin("shop-settings", "tax", "--rate", "US=0.05",
                             "--rate", "US/CA=0.0725", "--json"))
    assert tax == [{"country": "US", "region": "", "rate": "0.05"},
                   {"country": "US", "region": "CA", "rate": "0.0725"}]
    cli.ok(cli.admin("shop-settings", "shipping", "--rate", "flat:7.50:US,CA",
                     "--rate", "by_weight:12"))
    fraud = cli.json(cli.admin("shop-settings", "fraud", "--set", "hold_at=70",
                               "--set", "weights.order_velocity=10", "--json"))
    assert fraud["hold_at"] == 70 and fraud["weights"]["order_velocity"] == 10
    shown = cli.json(cli.admin("shop-settings", "show", "--json"))
    assert shown["tax"]["state"]["version"] == 1
    assert [r["countries"] for r in shown["shipping"]["rates"]] == [["CA", "US"], []]
    table = cli.ok(cli.admin("shop-settings", "show"))
    assert "stored, version 1" in table and "0.0725" in table
    assert cli.ok(cli.admin("shop-settings", "reset", "tax")).strip() \
        == "tax settings reset to the defaults"
    assert cli.json(cli.admin("shop-settings", "show", "--json"))["tax"]["rates"] == []


def test_a_bad_rate_is_one_line_and_a_non_zero_exit(cli: Cli) -> None:
    refused = cli.admin("shop-settings", "tax", "--rate", "US=1.5")
    assert refused.exit_code == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "rates.0.rate" in line
    assert cli.json(cli.admin("shop-settings", "show", "--json"))["tax"]["state"][
        "stored"] is False


def test_a_weight_that_is_not_a_number_is_refused_naming_weights(cli: Cli) -> None:
    refused = cli.admin("shop-settings", "fraud", "--set", "weights.order_velocity=ten")
    assert refused.exit_code == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "weights must be a map whose values are each a whole number" in line
