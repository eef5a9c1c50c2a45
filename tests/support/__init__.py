"""Support code for the tests: the one launcher of the real commands, the real checkers, pods, fixtures."""
