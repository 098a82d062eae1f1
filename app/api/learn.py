"""``/api/learn``: the lesson's questions, and each person's progress through it (the sections read,
the latest answer to each question), with a reset. The sections and questions live in
``app/services/lessons.py``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt, StrictStr, field_validator

from app.services.lessons import QUESTIONS

from .deps import ServicesDep
from .errors import BODY, responses
from .identity import OwnerDep

router = APIRouter(prefix="/api/learn", tags=["learn"])

Answer = StrictStr | StrictInt | StrictFloat


class ChoicePublic(BaseModel):
    value: str
    label: str


class QuestionPublic(BaseModel):
    id: str
    section: str = Field(description="the section that asks it: its anchor on /learn")
    text: str
    kind: str = Field(description="`choice`: one of `choices`; `number`: a number")
    choices: list[ChoicePublic]
    threshold: float | None = Field(default=None, description="the measured accuracy or R² the answer turns on, "
                                                              "where the question has one")


class SectionProgress(BaseModel):
    id: str
    number: int
    title: str
    read: bool


class AnswerPublic(BaseModel):
    question: str
    section: str
    answer: Answer
    correct: bool
    answered_at: str


class ProgressPublic(BaseModel):
    sections: list[SectionProgress] = Field(description="every section in the notes' order, read or not")
    answers: list[AnswerPublic] = Field(
        description="the latest answer to each question answered, in the lesson's order")


QuestionId = Literal[tuple(q.id for q in QUESTIONS)]  # type: ignore[valid-type]


class AnswerCreate(BaseModel):
    question: QuestionId = Field(description="a question's id (`GET /api/learn/questions`)")
    answer: Answer = Field(description="one of the question's choices, or a number")
    correct: StrictBool = Field(description="whether the page found the answer right against its live result")

    @field_validator("answer", mode="before")
    @classmethod
    def _text_or_number(cls, value: Any) -> Any:
        """One problem named ``answer`` rather than one per member of the union."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError("an answer is a choice's value (text) or a number")
        return value


@router.get("/questions", response_model=list[QuestionPublic], summary="The lesson's questions, in its order")
def questions() -> list[dict]:
    return [{"id": q.id, "section": q.section, "text": q.text, "kind": q.kind, "threshold": q.threshold,
             "choices": [{"value": value, "label": label} for value, label in q.choices]} for q in QUESTIONS]


@router.get("/progress", response_model=ProgressPublic, summary="Your progress: sections read, answers given")
def progress(services: ServicesDep, owner: OwnerDep) -> dict:
    return services.lessons.progress(owner)


@router.put("/progress/{section}", response_model=ProgressPublic, summary="Mark a section as read",
            responses=responses(404))
def mark_read(section: str, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.lessons.mark_read(owner, section)


@router.delete("/progress", status_code=status.HTTP_204_NO_CONTENT, summary="Start the lesson again: forget "
               "your sections read and answers")
def reset(services: ServicesDep, owner: OwnerDep) -> None:
    services.lessons.reset(owner)


@router.post("/answers", response_model=ProgressPublic, status_code=status.HTTP_201_CREATED,
             summary="Record your answer to a question", responses=responses(*BODY))
def answer(body: AnswerCreate, services: ServicesDep, owner: OwnerDep) -> dict:
    return services.lessons.answer(owner, body.question, body.answer, body.correct)
