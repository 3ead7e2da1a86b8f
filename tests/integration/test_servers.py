"""Smoke tests: every test server reached with its official client, one real round trip each.

URLs come from ``tests.servers.server_url`` (``scripts/test-servers.sh`` exports them; else
Docker, else skipped). Names are unique per test run and removed after; every call is bounded
by a client timeout.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pymongo
import redis
import stripe
from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic
from elasticsearch import Elasticsearch

from tests.servers import server_url

RUN = uuid.uuid4().hex[:12]
KAFKA_TIMEOUT = 30.0


def test_mongo_insert_and_find_one() -> None:
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        server_url("mongo"), serverSelectionTimeoutMS=10_000, connectTimeoutMS=5_000,
        socketTimeoutMS=10_000)
    name = f"commerce_smoke_{RUN}"
    try:
        # ping, not server_info(), which fails on the mongoeco stand-in
        assert client.admin.command("ping")["ok"] == 1
        products = client[name]["products"]
        inserted = products.insert_one({"sku": "PHONE-1", "price_minor": 19_999})
        assert products.find_one({"sku": "PHONE-1"}) == {
            "_id": inserted.inserted_id, "sku": "PHONE-1", "price_minor": 19_999}
        assert products.find_one({"sku": "NOPE"}) is None
    finally:
        client.drop_database(name)
    assert name not in client.list_database_names()
    client.close()


def test_elasticsearch_index_and_search() -> None:
    es = Elasticsearch(server_url("elasticsearch"), request_timeout=10)
    index = f"commerce-smoke-{RUN}"
    try:
        es.indices.create(index=index)
        es.index(index=index, id="PHONE-1", document={"name": "Blue phone"}, refresh=True)
        hits = es.search(index=index, query={"match": {"name": "phone"}})["hits"]
        assert hits["total"]["value"] == 1
        assert hits["hits"][0]["_id"] == "PHONE-1"
        assert hits["hits"][0]["_source"] == {"name": "Blue phone"}
        assert es.search(index=index, query={"match": {"name": "laptop"}})["hits"]["hits"] == []
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
    assert not es.indices.exists(index=index)
    es.close()


def test_opensearch_index_and_search() -> None:
    # plain HTTP: the elasticsearch client (8 and 9) sends compatible-with content types,
    # which an OpenSearch server answers with 406
    index = f"commerce-smoke-{RUN}"
    with httpx.Client(base_url=server_url("opensearch"), timeout=10) as http:
        try:
            assert http.put(f"/{index}").status_code == 200
            put = http.put(f"/{index}/_doc/PHONE-1", params={"refresh": "true"},
                           json={"name": "Blue phone"})
            assert put.status_code == 201, put.text
            found = http.post(f"/{index}/_search", json={"query": {"match": {"name": "phone"}}})
            assert found.status_code == 200, found.text
            hits = found.json()["hits"]
            assert [(h["_id"], h["_source"]) for h in hits["hits"]] == [
                ("PHONE-1", {"name": "Blue phone"})]
        finally:
            http.delete(f"/{index}")
        assert http.head(f"/{index}").status_code == 404


def test_kafka_produce_and_consume_in_a_group() -> None:
    bootstrap = urlsplit(server_url("kafka")).netloc
    topic = f"commerce-smoke-{RUN}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(topic, num_partitions=1)],
                                      request_timeout=KAFKA_TIMEOUT).values():
        future.result(timeout=KAFKA_TIMEOUT)
    try:
        producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                             "message.timeout.ms": int(KAFKA_TIMEOUT * 1000)})
        reports: list[tuple[KafkaError | None, Message]] = []
        value = json.dumps({"event": "order.placed", "order": 1}).encode()
        producer.produce(topic, key=b"order-1", value=value,
                         on_delivery=lambda err, msg: reports.append((err, msg)))
        assert producer.flush(KAFKA_TIMEOUT) == 0
        assert [err for err, _ in reports] == [None]

        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"commerce-{RUN}",
                             "auto.offset.reset": "earliest", "enable.auto.commit": False})
        try:
            consumer.subscribe([topic])
            received = _poll_one(consumer)
            assert (received.topic(), received.key(), received.value()) == (
                topic, b"order-1", value)
            consumer.commit(message=received, asynchronous=False)
            partition, offset = received.partition(), received.offset()
            assert partition is not None and offset is not None
            [committed] = consumer.committed([TopicPartition(topic, partition)],
                                             timeout=KAFKA_TIMEOUT)
            assert committed.offset == offset + 1
        finally:
            consumer.close()
    finally:
        for future in admin.delete_topics([topic], request_timeout=KAFKA_TIMEOUT).values():
            future.result(timeout=KAFKA_TIMEOUT)


def _poll_one(consumer: Consumer) -> Message:
    """The first message, within KAFKA_TIMEOUT (the group join takes a moment)."""
    deadline = time.monotonic() + KAFKA_TIMEOUT
    while time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        error = message.error()
        assert error is None or error.retriable(), error
        if error is None:
            return message
    raise AssertionError(f"no message within {KAFKA_TIMEOUT:.0f} s")


def test_stripe_payment_intent_confirmed() -> None:
    client = stripe.StripeClient(
        api_key="sk_test_commerce_smoke", base_addresses={"api": server_url("stripe")},
        max_network_retries=0, http_client=stripe.new_default_http_client(timeout=10))
    intent = client.v1.payment_intents.create(params={
        "amount": 1999, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"]})  # type: ignore[typeddict-unknown-key]
    assert intent.id.startswith("pi_")
    confirmed = client.v1.payment_intents.confirm(intent.id)
    assert confirmed.id.startswith("pi_")
    response = confirmed.last_response
    assert response is not None
    if "stripe-mock-version" in {key.lower() for key in response.headers}:
        return  # stripe-mock (the Docker fallback) answers canned objects: no state to check
    assert (intent.status, intent.amount, intent.currency) == ("requires_confirmation", 1999,
                                                                "usd")
    assert (confirmed.id, confirmed.status) == (intent.id, "succeeded")
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_redis_set_get_with_ttl() -> None:
    url = server_url("redis")
    db = int(urlsplit(url).path.lstrip("/") or 0)
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    key = f"commerce:smoke:{RUN}"
    try:
        assert int(client.client_info()["db"]) == db
        assert client.set(key, "hello", ex=60)
        assert client.get(key) == b"hello"
        assert 0 < client.ttl(key) <= 60
    finally:
        client.delete(key)
    assert client.exists(key) == 0
    client.close()
