"""The database's tables as SQLAlchemy Core objects: the current schema, which the migrations in
``migrations/versions`` build step by step. JSON values are stored as text (portable between
SQLite and PostgreSQL), weights as ``.npz`` bytes, times as seconds since the epoch."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData()

networks = Table(
    "networks", metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(64), index=True),  # null: stored before owners existed (no visitor's)
    Column("name", Text),  # a named network is kept; an unnamed one is scratch and expires
    Column("spec", Text, nullable=False),
    Column("weights", LargeBinary, nullable=False),
    Column("history", Text, nullable=False, server_default="[]"),
    Column("data", Text),
    Column("steps_trained", Integer, nullable=False, server_default="0"),
    Column("epochs_trained", Float, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # The sweep whose run trained it: unnamed, it does not count against the person's networks.
    Column("sweep_id", String(32)),
    Column("kept", Boolean, nullable=False, server_default=false()),
)

jobs = Table(
    "jobs", metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(64), index=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("network_id", String(32)),
    Column("request", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("error", Text),
    Column("progress", Text, nullable=False, server_default="{}"),
    Column("metrics", Text, nullable=False, server_default="{}"),
    Column("history", Text, nullable=False, server_default="[]"),
    Column("result", Text),
    # Which server process runs the job, until when its lease holds (it renews it while alive),
    # and whether someone asked, through another server, to cancel it.
    Column("server", String(32)),
    Column("lease_until", Float),
    Column("cancel_requested", Integer, nullable=False, server_default="0"),
    Column("kept", Boolean, nullable=False, server_default=false()),
    Column("class_id", String(32), index=True),  # the class whose assignment the job works on
)
Index("jobs_created", jobs.c.created_at)
Index("jobs_status", jobs.c.status)

uploads = Table(
    "uploads", metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(64), index=True),
    Column("task", String(16), nullable=False),
    Column("csv", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("n_classes", Integer, nullable=False),
    Column("class_names", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("kept", Boolean, nullable=False, server_default=false()),
)

# API tokens: only a hash of each token is kept, with a public id (to list and revoke it), its
# first characters (to recognise it), and the signing key it was minted under: a token outlives
# neither its expiry (created_at + NNVIZ_TOKEN_TTL) nor that key.
tokens = Table(
    "tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("id", String(32), nullable=False, index=True, unique=True),
    Column("prefix", String(16)),
    Column("last_used_at", Float),
    Column("key_id", String(32)),
)

# Read-only share links of a network.
shares = Table(
    "shares", metadata,
    Column("token", String(64), primary_key=True),
    Column("network_id", String(32), nullable=False, index=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
)

# Server-wide values every server process shares, such as the generated cookie-signing key.
server_values = Table(
    "server_values", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# A class: a lecturer (the owner who made it) and the members who joined it by its code. ``code`` is
# unique; an ended class is read-only and removed NNVIZ_CLASS_TTL seconds after ``ended_at``. The
# assignment (setup, prompt, unlocked settings) is JSON text; its hidden test set has a column of its
# own, read only for the lecturer.
classes = Table(
    "classes", metadata,
    Column("id", String(32), primary_key=True),
    Column("code", String(8), nullable=False, unique=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("joining", Boolean, nullable=False, server_default=true()),
    Column("created_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("assignment", Text),
    Column("hidden_test", Text),
    Column("following", String(32)),  # the lesson section the lecturer asks the room to follow (/learn)
)

# ``name_key`` is the name case-folded: names are unique in a class regardless of case.
class_members = Table(
    "class_members", metadata,
    Column("id", String(32), primary_key=True),
    Column("class_id", String(32), nullable=False),
    Column("owner", String(64), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),
    Column("joined_at", Float, nullable=False),
    UniqueConstraint("class_id", "owner", name="class_members_owner"),
    UniqueConstraint("class_id", "name_key", name="class_members_name"),
)

# A member's entry on the class's leaderboard (one per member: a newer one replaces it), with the
# network's spec and weights as they were when submitted, and its score (``metric`` on ``scored_on``:
# the hidden test points, or the data's own test split when the assignment has none).
class_submissions = Table(
    "class_submissions", metadata,
    Column("id", String(32), primary_key=True),
    Column("class_id", String(32), nullable=False),
    Column("member_id", String(32), nullable=False),
    Column("network_id", String(32), nullable=False),
    Column("spec", Text, nullable=False),
    Column("weights", LargeBinary, nullable=False),
    Column("score", Float),
    Column("metric", String(16), nullable=False),
    Column("scored_on", String(16), nullable=False),
    Column("parameters", Integer, nullable=False),
    Column("submitted_at", Float, nullable=False),
    Column("caption", Text),  # the lecturer's words when they pinned it to the class's gallery
    Column("pinned_at", Float),  # null: not in the gallery
    UniqueConstraint("class_id", "member_id", name="class_submissions_member"),
)

# The lesson (/learn): the sections each person has read, and every answer they gave (the answer as
# JSON, and whether the page found it right against its live result), so that a room's answers to a
# question can be counted without names.
lesson_reads = Table(
    "lesson_reads", metadata,
    Column("owner", String(64), nullable=False),
    Column("section", String(32), nullable=False),
    Column("read_at", Float, nullable=False),
    PrimaryKeyConstraint("owner", "section"),
)

lesson_answers = Table(
    "lesson_answers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("question", String(64), nullable=False, index=True),
    Column("answer", Text, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", Float, nullable=False),
)
