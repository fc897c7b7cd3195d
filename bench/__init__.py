"""`make bench`: the portal's performance goals, measured side by side in one run (`python -m bench`).

Not a test suite and not part of any service: it loads the running portal
over loopback and prints each figure and whether its goal is met. Every loop
is bounded in count and time. Modules, one per measurement:

    gateway_overhead  identity straight vs through the gateway
    signin            sign-in throughput vs bare argon2id
    scale             trade-accounts read through the gateway at 10,000 accounts
    per_request       identity and trade-accounts vs the floor (floor.py: bare ASGI + asyncpg)
    events            commit-to-consumer latency through outbox, relay and Kafka
    gateway           `python -m bench.gateway`: the gateway alone vs a stand-in upstream
                      (the measurement behind the gateway's own HTTP client)
"""
