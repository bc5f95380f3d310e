"""The schema model: snapshot a SQLite schema with PRAGMAs (snapshot.py), compare two snapshots
(compare.py), build an expected schema by replaying migrations in memory (replay.py).

Reads through the connection it is given (never opens a file; the replay opens only an
in-memory database). The names below are this package's face for the rest of the engine.
"""

from engine.schema.compare import compare as compare
from engine.schema.compare import format_diff as format_diff
from engine.schema.model import KINDS as KINDS
from engine.schema.model import Column as Column
from engine.schema.model import Difference as Difference
from engine.schema.model import ForeignKey as ForeignKey
from engine.schema.model import Index as Index
from engine.schema.model import SchemaDiff as SchemaDiff
from engine.schema.model import Snapshot as Snapshot
from engine.schema.model import Table as Table
from engine.schema.model import Trigger as Trigger
from engine.schema.model import View as View
from engine.schema.replay import replay as replay
from engine.schema.snapshot import SnapshotMemo as SnapshotMemo
from engine.schema.snapshot import snapshot as snapshot
from engine.scripts.sqlnorm import normalize_sql as normalize_sql
