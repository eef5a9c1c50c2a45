"""Golden: what a render gives, held to fixtures/ and checked by the real checkers (schemas, nats-server)."""
