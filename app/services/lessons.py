"""The lesson (``/learn``): its sections in the notes' order and the questions each asks, defined here
once (the API serves them, the page renders them), and what each person has read and answered.

Whether an answer was right is judged by the page against the live result it just measured (a
network's accuracy, a count from ``/api/networks/counts``), so the request says so; the service keeps
the question, the answer and that verdict, so that a room's answers can be counted without names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from app.nn.errors import SpecError

from .specs import NotFound
from .store import Store, iso_time


@dataclass(frozen=True)
class Section:
    id: str  # the page's anchor: /learn#neuron
    number: int
    title: str


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    text: str
    kind: str  # "choice": one of ``choices``; "number": a number
    choices: tuple[tuple[str, str], ...] = field(default=())  # (value, what the page shows)
    # The measured value the page's answer turns on (an accuracy or an R²), where the question has one:
    # its one home, which the question's text states and the page judges by.
    threshold: float | None = None

    def check(self, answer: Any) -> None:
        """Raise ``SpecError("answer", ...)`` unless ``answer`` is an answer to this question."""
        if self.kind == "number":
            if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
                raise SpecError("answer", f"question “{self.id}” takes a number, not {answer!r}")
            return
        values = [value for value, _ in self.choices]
        if answer not in values:
            raise SpecError("answer", f"question “{self.id}” takes one of {', '.join(values)}, not {answer!r}")


SECTIONS = (
    Section("nonlinearity", 1, "Why a non-linearity"),
    Section("neuron", 2, "One neuron"),
    Section("classifier", 3, "One neuron as a linear classifier"),
    Section("activations", 4, "Activation functions"),
    Section("layers", 5, "Layers"),
    Section("power", 6, "Representational power"),
    Section("sizes", 7, "Layer sizes"),
    Section("spiral", 8, "The spiral"),
)
YES_NO = (("yes", "Yes"), ("no", "No"))
SEPARATED = 0.9  # a network "separates" the circle's disc from its ring with this share of its points right
XOR_BAR = 0.9  # "more than 90 %" of the xor points: one line gets at best three quadrants of four
FIT_BAR = 0.9  # R² of a fit that "fits" the sine
QUESTIONS = (
    Question("nonlinearity-circle", "nonlinearity",
             "Both networks have 8 hidden units and train on the circle data. Which of them will separate the "
             "inner disc from the ring?", "choice",
             (("relu", "Only the one with max(0, ·)"), ("linear", "Only the one without it"), ("both", "Both"),
              ("neither", "Neither")), SEPARATED),
    Question("neuron-scale", "neuron",
             "Multiply w₁, w₂ and b by 2. What does the line w·x + b = 0 do?", "choice",
             (("stays", "It stays where it is"), ("moves", "It moves over"), ("turns", "It turns"))),
    Question("classifier-xor", "classifier",
             f"Will one neuron trained as a binary softmax classifier get more than {XOR_BAR * 100:.0f} % of "
             "the xor points right?", "choice", YES_NO, XOR_BAR),
    Question("activations-dead", "activations",
             "Three networks train on the spiral with a learning rate far too high. Which will have the most "
             "dead units after the run?", "choice",
             (("relu", "ReLU"), ("tanh", "tanh"), ("leaky_relu", "leaky ReLU"))),
    Question("layers-params", "layers", "How many learnable parameters does [3, 4, 4, 1] have?", "number"),
    Question("power-width", "power",
             f"Will one hidden layer of the width you chose fit the sine wave with R² of at least {FIT_BAR}?",
             "choice", YES_NO, FIT_BAR),
    Question("sizes-capacity", "sizes",
             "Which width gets the most training points right: 3, 6 or 20 hidden units?", "choice",
             (("3", "3 units"), ("6", "6 units"), ("20", "20 units"))),
    Question("sizes-lambda", "sizes",
             "With 20 hidden units, which L2 strength gets the most test points right?", "choice",
             (("0.001", "λ = 0.001"), ("0.01", "λ = 0.01"), ("0.1", "λ = 0.1"))),
    Question("spiral-linear", "spiral",
             "What training accuracy will the linear classifier reach on the spiral?", "choice",
             (("33", "about 33 %"), ("50", "about 50 %"), ("75", "about 75 %"), ("98", "about 98 %"))),
)
_SECTIONS = {section.id: section for section in SECTIONS}
_QUESTIONS = {question.id: question for question in QUESTIONS}


def section_of(section_id: str) -> Section:
    if section_id not in _SECTIONS:
        raise NotFound(f"the lesson has no section “{section_id}”; its sections are "
                       f"{', '.join(_SECTIONS)}")
    return _SECTIONS[section_id]


def question_of(question_id: str) -> Question:
    if question_id not in _QUESTIONS:
        raise SpecError("question", f"the lesson asks no question “{question_id}”; GET /api/learn/questions lists them")
    return _QUESTIONS[question_id]


class LessonService:
    """Each person's progress through the lesson: the sections read, the latest answer to each question."""

    def __init__(self, store: Store):
        self.store = store

    def progress(self, owner: str) -> dict[str, Any]:
        read = self.store.sections_read(owner)
        latest: dict[str, dict[str, Any]] = {}
        for row in self.store.lesson_answers(owner):  # oldest first: the last one stays
            latest[row["question"]] = {"question": row["question"], "section": _QUESTIONS[row["question"]].section,
                                       "answer": row["answer"], "correct": row["correct"],
                                       "answered_at": iso_time(row["answered_at"])}
        return {
            "sections": [{"id": s.id, "number": s.number, "title": s.title, "read": s.id in read} for s in SECTIONS],
            "answers": [latest[q.id] for q in QUESTIONS if q.id in latest],
        }

    def mark_read(self, owner: str, section_id: str) -> dict[str, Any]:
        self.store.mark_section_read(owner, section_of(section_id).id)
        return self.progress(owner)

    def answer(self, owner: str, question_id: str, answer: Any, correct: bool) -> dict[str, Any]:
        question = question_of(question_id)
        question.check(answer)
        self.store.add_lesson_answer(owner, question.id, answer, correct)
        return self.progress(owner)

    def reset(self, owner: str) -> None:
        self.store.reset_lesson(owner)
