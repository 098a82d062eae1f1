"""``/api/classes``: a lecturer's classes, joining one by its code, its members, its assignment and
the event stream that tells the members' pages of a new assignment.

Anyone who is neither the class's lecturer nor a member gets 404 for everything about it; a member
asking for a lecturer's action gets 403."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.services import Services
from app.services.wall import TICK_SECONDS, TILE_SECONDS, WallTracker
from app.viz.theme import CLASS_COLORS

from .bodies import LargeJSONRoute, body_limit
from .deps import ServicesDep
from .errors import BODY, NOT_FOUND, Message, Problems, SafeJSONResponse, responses
from .identity import OwnerDep
from .jobs import STREAM_CHECK_SECONDS, StreamSlot
from .rates import limited
from .schemas import (
    AssignmentPublic,
    AssignmentPut,
    ClassCreate,
    ClassExport,
    ClassFollow,
    ClassFollowPublic,
    ClassJoin,
    ClassMemberPublic,
    ClassPublic,
    ClassSummary,
    ClassUpdate,
    CrowdPublic,
    CrowdPut,
    GalleryCopy,
    GalleryEntry,
    GalleryPin,
    LeaderboardPublic,
    MemberUpdate,
    RoomAnswers,
    SubmissionCreate,
    SubmissionPublic,
    WallPublic,
)

router = APIRouter(prefix="/api/classes", tags=["classes"])

LECTURER = responses(403, 404) | {409: {"model": Message, "description": "the class has ended: it is read-only"}}
JOIN_409 = ("the class has ended or its joining is closed (field `code`), it is full (field `code`), you lead it "
            "(field `code`), or someone in it has this name (field `name`): a list of problems, as a 422's")
JOIN_422 = ("a value is not acceptable (a name empty or longer than 32 characters after trimming, or with control "
            "characters: field `name`), or no class has this code (field `code`: a code is typed by a person, so a "
            "wrong one is a mistake in the form, not a missing resource)")


def base_url(request: Request) -> str:
    """This server's address as the browser reached it (a trusted proxy's, see app/api/rates.py)."""
    return str(request.base_url).rstrip("/")


BaseUrl = Annotated[str, Depends(base_url)]


@router.post("", response_model=ClassPublic, status_code=status.HTTP_201_CREATED,
             responses=responses(429, *BODY), summary="Make a class: you are its lecturer")
def create_class(body: ClassCreate, services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> dict:
    return services.classes.create(body.title, owner, url)


IMPORT_HELP = """A class as `GET /api/classes/{id}/export` wrote it, on this server or another (format
`nnviz-class`, version 1 or 2), made a new class that you lead, with a new id and a new join code,
open for joining. Carried: the title; the assignment (setup, prompt, unlocked settings, hidden test
points), checked as a new one is; the members, as names: nobody can act as an imported member (they
never submit or train here; you may rename or remove them), and their names are taken in the class;
the leaderboard's entries with their scores, where they were scored and their parameter counts;
the gallery's pins with their captions and networks (version 2), which members open as copies.
Not carried: the students' jobs and networks (the `jobs` section is read, not imported), the old
class's id, code, state and times, and the networks of the entries the gallery does not pin (such
an entry cannot be pinned here). All of it is stored in one transaction, or nothing."""
IMPORT_422 = ("a value is not acceptable, or the parts do not fit together: a section longer than the class's members "
              "limit (NNVIZ_CLASS_MEMBERS), two members with one name, an entry naming no member or a second entry of "
              "one, a metric not the assignment's, a pinned network that does not fit the assignment's data or has "
              "not its entry's parameters, a setup a job would not take: each problem names its field "
              "(`assignment.setup.network.hidden`, `leaderboard[3].member_id`)")


def import_class(body: ClassExport, services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> dict:
    document = body.model_dump(by_alias=True, exclude_unset=True)
    if body.assignment is not None:  # the setup with every default written out, as put_assignment stores it
        document["assignment"]["setup"] = body.assignment.setup.model_dump(exclude_none=True)
    return services.classes.import_(document, owner, url)


# Added here rather than by a decorator: a document with pinned networks is read with orjson (LargeJSONRoute).
router.add_api_route("/import", import_class, methods=["POST"], response_model=ClassPublic,
                     status_code=status.HTTP_201_CREATED, dependencies=[limited("imports")],
                     openapi_extra=body_limit("max_body_bytes"), route_class_override=LargeJSONRoute,
                     responses=responses(429, *BODY, s422=IMPORT_422),
                     summary="Import a class exported here or elsewhere: you lead the new class",
                     description=IMPORT_HELP)


@router.get("", response_model=list[ClassSummary], summary="The classes you lead or have joined, newest first")
def list_classes(services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> list[dict]:
    return services.classes.list(owner, url)


@router.post("/join", response_model=ClassPublic, status_code=status.HTTP_201_CREATED, dependencies=[limited("joins")],
             responses={200: {"description": "you already were a member: the class as it stands (your name is "
                                             "unchanged)"}} | responses(400, 413, 422, 429, s422=JOIN_422)
             | {409: {"model": Problems, "description": JOIN_409}},
             summary="Join a class by its code, under a display name")
def join_class(body: ClassJoin, services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> Response:
    view, joined = services.classes.join(body.code, body.name, owner, url)
    return SafeJSONResponse(ClassPublic(**view).model_dump(),
                            status_code=status.HTTP_201_CREATED if joined else status.HTTP_200_OK)


@router.get("/{class_id}", response_model=ClassPublic, responses=NOT_FOUND,
            summary="One class: the lecturer sees its members' ids and the QR code of its join link")
def get_class(class_id: str, services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> dict:
    return services.classes.get(class_id, owner, url)


@router.patch("/{class_id}", response_model=ClassPublic, responses=LECTURER | responses(*BODY),
              summary="Close or reopen joining (the lecturer)")
def update_class(class_id: str, body: ClassUpdate, services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> dict:
    return services.classes.set_joining(class_id, body.joining, owner, url)


@router.post("/{class_id}/end", response_model=ClassPublic, responses=LECTURER,
             summary="End the class (the lecturer): read-only from now, removed after NNVIZ_CLASS_TTL seconds")
def end_class(class_id: str, services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> dict:
    return services.classes.end(class_id, owner, url)


@router.patch("/{class_id}/members/{member_id}", response_model=ClassMemberPublic,
              responses=LECTURER | responses(*BODY), summary="Rename a member (the lecturer)")
def rename_member(class_id: str, member_id: str, body: MemberUpdate, services: ServicesDep,
                  owner: OwnerDep) -> dict:
    return services.classes.rename_member(class_id, member_id, body.name, owner) | {"joined_at": None}


@router.delete("/{class_id}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT, responses=LECTURER,
               summary="Remove a member (the lecturer)")
def remove_member(class_id: str, member_id: str, services: ServicesDep, owner: OwnerDep) -> None:
    services.classes.remove_member(class_id, member_id, owner)


@router.put("/{class_id}/assignment", response_model=AssignmentPublic,
            responses=LECTURER | responses(*BODY, s422="a value is not acceptable, or the setup is not one a job "
                                                       "would take (its data does not fit its network, the compute "
                                                       "budget): each problem names its field (`setup.network...`)"),
            summary="Give the class its assignment (the lecturer); every member's open page hears of it")
def put_assignment(class_id: str, body: AssignmentPut, services: ServicesDep, owner: OwnerDep) -> dict:
    # The setup with every default written out: each student's page reads the same settings from it.
    request = body.values() | {"setup": body.setup.model_dump(exclude_none=True)}
    return services.classes.set_assignment(class_id, request, owner)


@router.get("/{class_id}/assignment", response_model=AssignmentPublic, responses=NOT_FOUND,
            summary="The class's assignment (its hidden test set only for the lecturer)")
def get_assignment(class_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.classes.assignment(class_id, owner)


SUBMIT_403 = {403: {"model": Message, "description": "only the class's members submit (you are its lecturer)"}}
SUBMIT_409 = {409: {"model": Message, "description": "the class has ended, or has no assignment yet"}}
CSV = {200: {"content": {"text/csv": {}}, "description": "a CSV table with a header line"}}


@router.post("/{class_id}/submissions", response_model=SubmissionPublic, status_code=status.HTTP_201_CREATED,
             responses=SUBMIT_403 | NOT_FOUND | SUBMIT_409 | responses(
                 *BODY, s422="the network does not fit the assignment (its data, or a locked setting): field "
                             "`network_id`"),
             summary="Submit one of your networks for the leaderboard (a member): scored on the server, on the "
                     "assignment's hidden test points; it replaces your earlier submission")
def submit(class_id: str, body: SubmissionCreate, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.classes.submit(class_id, body.network_id, owner)


@router.get("/{class_id}/leaderboard", response_model=LeaderboardPublic, responses=NOT_FOUND,
            summary="The submissions ranked by score, the accuracy-against-parameters Pareto front marked")
def leaderboard(class_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.classes.leaderboard(class_id, owner)


@router.get("/{class_id}/leaderboard/figure", response_class=Response, responses=NOT_FOUND,
            summary="A Plotly figure of the leaderboard: score against parameters (log scale), the Pareto front")
def leaderboard_figure(class_id: str, services: ServicesDep, owner: OwnerDep) -> Response:
    return Response(services.classes.leaderboard_figure(class_id, owner), media_type="application/json")


def csv_answer(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{class_id}/leaderboard.csv", response_class=Response, responses=CSV | responses(403, 404),
            summary="The leaderboard as CSV (the lecturer)")
def leaderboard_csv(class_id: str, services: ServicesDep, owner: OwnerDep) -> Response:
    return csv_answer(services.classes.leaderboard_csv(class_id, owner), f"leaderboard-{class_id}.csv")


@router.get("/{class_id}/members.csv", response_class=Response, responses=CSV | responses(403, 404),
            summary="Every member's latest class job and its final metrics, as CSV (the lecturer)")
def members_csv(class_id: str, services: ServicesDep, owner: OwnerDep) -> Response:
    return csv_answer(services.classes.members_csv(class_id, owner), f"members-{class_id}.csv")


@router.get("/{class_id}/wall", response_model=WallPublic, responses=responses(403, 404),
            summary="The lecturer's wall: one tile per member (their class job, its scores, a small boundary, flags)")
def wall(class_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    lectured = services.classes.lectured(class_id, owner)
    return {"tiles": services.wall.tiles(lectured, WallTracker()), "tick_seconds": TICK_SECONDS,
            "tile_seconds": TILE_SECONDS, "class_colors": list(CLASS_COLORS)}


@router.put("/{class_id}/follow", response_model=ClassFollowPublic, responses=LECTURER | responses(*BODY),
            summary="Follow me: every member's /learn shows this section (the lecturer); null lets them read on alone")
def follow(class_id: str, body: ClassFollow, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.classes.follow(class_id, owner, body.section)


@router.get("/{class_id}/answers", response_model=RoomAnswers, responses=responses(403, 404),
            summary="How the room answered each of the lesson's questions, as counts (the lecturer; never names)")
def answers(class_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.classes.answers(class_id, owner)


CROWD_409 = {409: {"model": Message, "description": "the class has ended, or has no assignment yet"}}


@router.put("/{class_id}/crowd", response_model=CrowdPublic, responses=responses(403, 404, *BODY, s422=(
                "the setting names no field of a training request, or one the assignment locks or cannot unlock: "
                "field `setting`")) | CROWD_409,
            summary="Choose the setting the class's crowd experiment varies (the lecturer); the crowd")
def choose_crowd(class_id: str, body: CrowdPut, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.crowd.choose(class_id, body.setting, owner)


@router.get("/{class_id}/crowd", response_model=CrowdPublic, responses=NOT_FOUND,
            summary="The crowd experiment: per value of the varied setting, the members' train and test scores "
                    "(mean, min, max over each member's latest finished class run at that value) and their count")
def crowd(class_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.crowd.get(class_id, owner)


@router.get("/{class_id}/crowd/figure", response_class=Response, responses=NOT_FOUND | {
                409: {"model": Message, "description": "the lecturer has not chosen a setting yet"}},
            summary="A Plotly figure of the crowd experiment: train and test score against the setting, each a "
                    "mean in a min–max band over the students")
def crowd_figure(class_id: str, services: ServicesDep, owner: OwnerDep) -> Response:
    return Response(services.crowd.figure(class_id, owner), media_type="application/json")


@router.put("/{class_id}/gallery/{submission_id}", response_model=list[GalleryEntry],
            responses=LECTURER | responses(*BODY),
            summary="Pin a submission to the class's gallery with a caption (the lecturer); the gallery")
def pin(class_id: str, submission_id: str, body: GalleryPin, services: ServicesDep, owner: OwnerDep) -> list[dict]:
    return services.classes.pin(class_id, submission_id, body.caption, owner)


@router.delete("/{class_id}/gallery/{submission_id}", status_code=status.HTTP_204_NO_CONTENT, responses=LECTURER,
               summary="Take a submission out of the gallery (the lecturer)")
def unpin(class_id: str, submission_id: str, services: ServicesDep, owner: OwnerDep) -> None:
    services.classes.pin(class_id, submission_id, None, owner)


@router.get("/{class_id}/gallery", response_model=list[GalleryEntry], responses=NOT_FOUND,
            summary="The submissions the lecturer pinned, with their captions, in the order pinned")
def gallery(class_id: str, services: ServicesDep, owner: OwnerDep) -> list[dict]:
    return services.classes.gallery(class_id, owner)


@router.post("/{class_id}/gallery/{submission_id}/copy", response_model=GalleryCopy,
             status_code=status.HTTP_201_CREATED, responses=NOT_FOUND | responses(429),
             summary="A copy of a pinned network, as submitted, as your own (to open in the Playground)")
def copy_pinned(class_id: str, submission_id: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return {"network_id": services.classes.copy_pinned(class_id, submission_id, owner)}


@router.get("/{class_id}/export", response_class=SafeJSONResponse, responses=responses(403, 404),
            summary="The whole class as one JSON file (the lecturer): members, the assignment with its hidden "
                    "test points, the leaderboard, each member's latest class job's final metrics")
def export_class(class_id: str, services: ServicesDep, owner: OwnerDep, url: BaseUrl) -> SafeJSONResponse:
    document = services.classes.export(class_id, owner, url)
    name = f"class-{document['class']['id']}.json"
    return SafeJSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def known_class(class_id: str, services: ServicesDep, owner: OwnerDep) -> str:
    """404 before a stream starts (a generator's own errors would come after the 200)."""
    return services.classes.check_member(class_id, owner)


KnownClass = Annotated[str, Depends(known_class)]


async def class_events(services: Services, class_id: str, owner: str) -> AsyncIterator[ServerSentEvent]:
    """``assignment`` (the assignment's version and the class's state) when the stream opens and
    whenever either changes; it ends once the class has ended or is gone, or ``owner`` was removed
    from it. Between changes it waits on the class's notification and costs nothing. The lecturer's
    stream also carries the wall (``wall_events``)."""
    if await run_in_threadpool(services.classes.role, class_id, owner) == "lecturer":
        async for event in wall_events(services, class_id, owner):
            yield event
        return
    hub, key = services.jobs.hub, services.classes.event_key(class_id)
    sent, followed = None, None
    while not hub.closed:
        seen = hub.version(key)
        news = await run_in_threadpool(services.classes.news, class_id, owner)
        if news is None:
            return
        follow = news.pop("follow")
        if news != sent:
            sent = news
            yield ServerSentEvent(event="assignment", data=news)
        if follow != followed:  # "Follow me": the section of /learn the lecturer shows (null: none)
            followed = follow
            yield ServerSentEvent(event="follow", data={"section": follow})
        if news["state"] == "ended":
            return
        await hub.wait(key, seen, STREAM_CHECK_SECONDS)


async def wall_events(services: Services, class_id: str, owner: str,
                      tracker: WallTracker | None = None) -> AsyncIterator[ServerSentEvent]:
    """The lecturer's stream: ``assignment`` as a member's, and ``tiles``: the tiles that changed
    since this stream last sent them (all of them at first), each at most twice a second. One loop
    per lecturer's stream looks at the room every ``TICK_SECONDS``; the students' jobs do nothing
    for it. It ends when the class is gone (an ended class's wall still shows its last state)."""
    hub, key = services.jobs.hub, services.classes.event_key(class_id)
    tracker, sent = tracker or WallTracker(), None
    while not hub.closed:
        seen = hub.version(key)
        news = await run_in_threadpool(services.classes.news, class_id, owner)
        if news is None:
            return
        news.pop("follow")  # the lecturer leads: their own pages need not follow
        if news != sent:
            sent = news
            yield ServerSentEvent(event="assignment", data=news)
        tiles = await run_in_threadpool(services.wall.tiles, class_id, tracker)
        if due := tracker.due(tiles):
            yield ServerSentEvent(event="tiles", data=due)
        await hub.wait(key, seen, TICK_SECONDS)


@router.get("/{class_id}/events", response_class=EventSourceResponse, responses=NOT_FOUND | responses(429),
            summary="Server-Sent Events: `assignment` ({version, state}) at once and whenever it changes; for the "
                    "lecturer also `tiles`: the wall's tiles that changed, at most twice a second each")
async def events(class_id: KnownClass, services: ServicesDep, owner: OwnerDep,
                 _stream: StreamSlot) -> AsyncIterator[ServerSentEvent]:
    async for event in class_events(services, class_id, owner):
        yield event
