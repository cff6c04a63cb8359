"""A consumer group in Python (confluent_kafka): reads COUNT records of TOPIC from the group's
committed position (or the start), commits what it read synchronously, leaves the group, and
prints one JSON line: the records read, the offsets committed per partition and the last
stream version read per stream (header ce_streamversion).

Usage: python_group.py BOOTSTRAP GROUP TOPIC COUNT
"""
import json
import sys
import time

from confluent_kafka import Consumer, TopicPartition

bootstrap, group, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
})
consumer.subscribe([topic])
read = 0
offsets = {}
versions = {}
deadline = time.time() + 90
while read < count and time.time() < deadline:
    message = consumer.poll(0.5)
    if message is None or message.error():
        continue
    read += 1
    offsets[message.partition()] = message.offset() + 1
    headers = dict(message.headers() or [])
    version = int(headers["ce_streamversion"].decode())
    stream = message.key().decode()
    versions[stream] = max(versions.get(stream, 0), version)
if offsets:
    consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()], asynchronous=False)
consumer.close()
print(json.dumps({"read": read, "committed": {str(p): o for p, o in offsets.items()}, "versions": versions}))
