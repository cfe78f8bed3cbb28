"""Scale-out on PostgreSQL with Procrastinate: slots and deliveries as jobs, done by ``newsdigest worker``."""
