"""``kafka://`` URLs: brokers, SASL/TLS options, prefixes; refused when malformed."""

from __future__ import annotations

import pytest

from commerce_adapters import connect
from commerce_adapters.kafka.bus import KafkaEventBus
from commerce_adapters.kafka.settings import KafkaSettings
from tests.conftest import SECRET


def test_brokers_prefix_and_security_options() -> None:
    s = KafkaSettings.from_url(
        "kafka://k1:9092,k2:9093?topic_prefix=shop1.&group_prefix=eu.&partitions=10"
        "&security_protocol=SASL_SSL&sasl_mechanism=SCRAM-SHA-512&sasl_username=app"
        "&sasl_password=s3cret&ssl_ca_location=/etc/ca.pem&publish_timeout=5")
    assert s.config() == {"bootstrap.servers": "k1:9092,k2:9093",
                          "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
                          "sasl.username": "app", "sasl.password": "s3cret",
                          "ssl.ca.location": "/etc/ca.pem"}
    assert s.topics[0] == "shop1.order-events"
    assert s.dead_letter_topic == "shop1.dead-letters"
    assert (s.group("notification-service"), s.partitions, s.publish_timeout) == (
        "eu.notification-service", 10, 5.0)


def test_a_user_in_the_url_is_the_sasl_login() -> None:
    s = KafkaSettings.from_url("kafka://app:p%40ss@k1:9092")
    assert s.config()["sasl.password"] == "p@ss"
    assert (s.client["security.protocol"], s.client["sasl.mechanism"]) == ("SASL_SSL", "PLAIN")


@pytest.mark.parametrize(("url", "message"), [
    ("kafka://", "names its brokers"),
    ("kafka://k1:9092,", "names its brokers"),
    ("kafka://k1:9092?linger=5", "unknown kafka:// option"),
    ("kafka://k1:9092?partitions=many", "whole numbers"),
])
def test_malformed_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KafkaSettings.from_url(url)


def test_connect_picks_the_kafka_bus_and_leaves_consumers_to_the_worker() -> None:
    shop = connect("memory://", events_url="kafka://127.0.0.1:1", secret_key=SECRET)
    assert isinstance(shop.publisher, KafkaEventBus)  # nothing connects until used
    assert shop.publisher._local is None  # no consumer in the serving process
