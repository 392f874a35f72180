"""The event contracts: typed events, their CloudEvents envelope, topics and generated schemas.

Start with ``registry`` (every event type), ``envelope`` (to and from Kafka) and README.md.
"""
