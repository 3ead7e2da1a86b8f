"""``kafka://`` URLs: brokers, security options and the topic prefix.

``kafka://[USER:PASSWORD@]host:9092[,host2:9092...][?option=value...]``. Options:
``topic_prefix`` (put before every topic name: ``shop1.`` makes ``shop1.order-events``),
``partitions`` (for topics this shop creates, 6), ``replication`` (1),
``publish_timeout`` (seconds a publish may wait for the brokers' acknowledgement, 30),
``group_prefix`` (before every consumer group's name), and librdkafka's security settings
with ``_`` for ``.``: ``security_protocol`` (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL),
``sasl_mechanism`` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), ``sasl_username``,
``sasl_password``, ``ssl_ca_location``, ``ssl_certificate_location``, ``ssl_key_location``,
``ssl_key_password``, ``ssl_endpoint_identification_algorithm``, ``client_id``. A user and
password in the URL are the SASL credentials (SASL_SSL with PLAIN unless given).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

from commerce_core.bus.envelope import TOPICS

_CLIENT_OPTIONS = frozenset({
    "security_protocol", "sasl_mechanism", "sasl_mechanisms", "sasl_username",
    "sasl_password", "ssl_ca_location", "ssl_certificate_location", "ssl_key_location",
    "ssl_key_password", "ssl_endpoint_identification_algorithm", "client_id"})
_OWN_OPTIONS = frozenset({"topic_prefix", "partitions", "replication", "publish_timeout",
                          "group_prefix"})
DEAD_LETTERS = "dead-letters"


@attrs.frozen
class KafkaSettings:
    brokers: str
    client: dict[str, str] = attrs.field(factory=dict)
    topic_prefix: str = ""
    group_prefix: str = ""
    partitions: int = 6
    replication: int = 1
    publish_timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> KafkaSettings:
        """ValueError naming what is wrong with the URL."""
        parts = urlsplit(url)
        if parts.scheme != "kafka":
            raise ValueError(f"not a kafka:// URL: {parts.scheme}://")
        userinfo, _, hosts = parts.netloc.rpartition("@")
        if not hosts or any(not h.strip() for h in hosts.split(",")):
            raise ValueError("a kafka:// URL names its brokers: kafka://host:9092[,host2:9092]")
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = set(options) - _CLIENT_OPTIONS - _OWN_OPTIONS
        if unknown:
            raise ValueError(f"unknown kafka:// option(s) {', '.join(sorted(unknown))}; known: "
                             f"{', '.join(sorted(_CLIENT_OPTIONS | _OWN_OPTIONS))}")
        client = {k.replace("_", "."): v for k, v in options.items() if k in _CLIENT_OPTIONS}
        if userinfo:
            user, _, password = userinfo.partition(":")
            client.setdefault("sasl.username", unquote(user))
            client.setdefault("sasl.password", unquote(password))
            client.setdefault("security.protocol", "SASL_SSL")
            if "sasl.mechanisms" not in client:
                client.setdefault("sasl.mechanism", "PLAIN")
        try:
            return cls(hosts, client, options.get("topic_prefix", ""),
                       options.get("group_prefix", ""), int(options.get("partitions", 6)),
                       int(options.get("replication", 1)),
                       float(options.get("publish_timeout", 30)))
        except ValueError:
            raise ValueError("kafka:// partitions and replication are whole numbers, "
                             "publish_timeout a number of seconds") from None

    def config(self, **extra: Any) -> dict[str, Any]:
        """librdkafka settings for a client of these brokers."""
        return {"bootstrap.servers": self.brokers, **self.client, **extra}

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    @property
    def topics(self) -> list[str]:
        """The seed's topics under this shop's prefix."""
        return [self.topic(t) for t in TOPICS]

    @property
    def dead_letter_topic(self) -> str:
        return self.topic(DEAD_LETTERS)

    def group(self, name: str) -> str:
        return f"{self.group_prefix}{name}"
