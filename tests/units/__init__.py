"""Units: the package in process (pure functions, spec API, schema check, codes, output) and its rules."""
