"""``commerce admin coupons`` and ``commerce seller coupons`` in both modes."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_coupons_are_created_listed_disabled_and_counted(cli: Cli) -> None:
    assert cli.ok(cli.admin("coupons", "create", "welcome10", "--kind", "percent",
                            "--value", "10")).strip() == "created coupon WELCOME10 (percent 10)"
    cli.ok(cli.seller("coupons", "create", "LAMPS5", "--kind", "fixed", "--value", "5.00",
                      "--currency", "USD"))
    every = cli.json(cli.admin("coupons", "list", "--json"))
    assert sorted(c["code"] for c in every) == ["LAMPS5", "WELCOME10"]
    mine = cli.json(cli.seller("coupons", "list", "--json"))
    assert [(c["code"], c["seller_id"]) for c in mine] == [("LAMPS5", str(cli.world.seller_id))]
    theirs = cli.seller("coupons", "disable", "WELCOME10")
    assert theirs.exit_code == 1 and "(forbidden)" in theirs.stderr
    assert cli.ok(cli.admin("coupons", "disable", "WELCOME10")).strip() \
        == "coupon WELCOME10 disabled"
    assert [c["is_active"] for c in cli.json(cli.admin("coupons", "list", "--json"))
            if c["code"] == "WELCOME10"] == [False]
    assert cli.json(cli.admin("coupons", "usage", "WELCOME10", "--json"))["times_used"] == 0
    bad = cli.admin("coupons", "create", "X", "--kind", "percent", "--value", "150")
    assert bad.exit_code == 1 and len(bad.stderr.strip().splitlines()) == 1
