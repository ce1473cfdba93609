"""The Alembic revisions build exactly the schema the models describe, on each database."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models import Base
from models.db import make_engine
from wechat_bot.migrate import current_revision, head_revision


def test_migrated_database_matches_the_models(config):
    engine = make_engine(config.database.url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLite cannot reflect expression indexes; they are skipped
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "include_object": lambda obj, name, type_, *_: not (type_ == "table" and name == "apscheduler_jobs"),
                "compare_type": True,
            })
            differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()
    engine.dispose()
