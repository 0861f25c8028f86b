"""The database: SQLAlchemy models, sessions and Alembic migrations. It never calls Halo."""
