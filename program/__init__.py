"""A deployment's program: its vocabulary as data (territories, services, destinations...)."""
