"""The offline world: local AWS, provider stand-in, function host, campaign runner."""
