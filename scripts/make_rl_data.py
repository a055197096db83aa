"""Generate the shipped preference and math samples, deterministically from a seed.

- ``preference_{train,test}.jsonl``: arithmetic prompts (the phrasings of the shipped arithmetic
  set) with the correct sum as ``chosen`` and a plausible wrong one as ``rejected``: one digit off
  by one, a dropped carry, or two swapped digits (``error`` names which). Train prompts never use
  an operand pair of ``arithmetic_test.jsonl``; the test file pairs exactly those 200 prompts
  with a wrong answer, so DPO evaluation stays held out like SFT evaluation.
- ``math_{train,test}.jsonl``: GSM8K-shaped word problems from templates, ``question`` and an
  ``answer`` whose worked steps end in ``#### N`` as in GSM8K's ``main`` config. No question text
  is in both files.

Run ``python scripts/make_rl_data.py``; the output is byte-for-byte the same every time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kitchen.data import DATA_DIR
from kitchen.data.make_arithmetic import PHRASINGS, make_arithmetic, write_jsonl

Record = dict[str, Any]
SEED = 2024
N_PREF_TRAIN = 3000
N_MATH_TRAIN, N_MATH_TEST = 200, 50


# --- preference pairs ---------------------------------------------------------------------------


def off_by_one_digit(a: int, b: int, rng: random.Random) -> str | None:
    """Change one digit of the sum by one (never to a leading zero)."""
    digits = list(str(a + b))
    options = []
    for i, d in enumerate(digits):
        for new in (int(d) - 1, int(d) + 1):
            if 0 <= new <= 9 and not (i == 0 and new == 0 and len(digits) > 1):
                options.append((i, str(new)))
    position, digit = rng.choice(options)
    digits[position] = digit
    return "".join(digits)


def dropped_carry(a: int, b: int, rng: random.Random) -> str | None:
    """Forget one carry: the sum less 10^(k+1) for a column k that carried."""
    carried, carry, column = [], 0, 0
    x, y = a, b
    while x or y:
        total = x % 10 + y % 10 + carry
        carry = total // 10
        if carry:
            carried.append(column)
        x, y, column = x // 10, y // 10, column + 1
    if not carried:
        return None
    wrong = a + b - 10 ** (rng.choice(carried) + 1)
    return str(wrong) if wrong > 0 else None


def swapped_digits(a: int, b: int, rng: random.Random) -> str | None:
    """Swap two neighbouring, different digits of the sum (never to a leading zero)."""
    digits = list(str(a + b))
    spots = [
        i
        for i in range(len(digits) - 1)
        if digits[i] != digits[i + 1] and not (i == 0 and digits[1] == "0")
    ]
    if not spots:
        return None
    i = rng.choice(spots)
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    return "".join(digits)


ERRORS: dict[str, Callable[[int, int, random.Random], str | None]] = {
    "off_by_one_digit": off_by_one_digit,
    "dropped_carry": dropped_carry,
    "swapped_digits": swapped_digits,
}


def preference_record(
    split: str, index: int, a: int, b: int, phrasing: str, rng: random.Random
) -> Record:
    """One pair: the correct sum against a wrong one of a randomly chosen kind."""
    kinds = list(ERRORS)
    rng.shuffle(kinds)
    for kind in [*kinds, "off_by_one_digit"]:  # off-by-one always applies
        wrong = ERRORS[kind](a, b, rng)
        if wrong is not None and wrong != str(a + b):
            break
    return {
        "id": f"preference-{split}-{index:05d}",
        "prompt": phrasing.format(a=a, b=b),
        "chosen": str(a + b),
        "rejected": wrong,
        "error": kind,
    }


def make_preference(seed: int = SEED) -> tuple[list[Record], list[Record]]:
    """Train pairs over non-test operand pairs; test pairs over the arithmetic test prompts."""
    rng = random.Random(seed)
    _, arithmetic_test = make_arithmetic()
    test = []
    held_out = set()
    for i, record in enumerate(arithmetic_test):
        prompt = record["messages"][0]["content"]
        a, b = _operands(prompt)
        held_out.add((min(a, b), max(a, b)))
        pair = preference_record("test", i, a, b, "{a}+{b}", rng)
        test.append({**pair, "prompt": prompt})
    ordered = [
        (a, b)
        for a in range(10, 100)
        for b in range(10, 100)
        if (min(a, b), max(a, b)) not in held_out
    ]
    rng.shuffle(ordered)
    train = [
        preference_record("train", i, a, b, rng.choice(PHRASINGS), rng)
        for i, (a, b) in enumerate(ordered[:N_PREF_TRAIN])
    ]
    return train, test


def _operands(prompt: str) -> tuple[int, int]:
    numbers = [
        int(t)
        for t in prompt.replace("+", " ").replace("?", " ").replace(".", " ").split()
        if t.isdigit()
    ]
    a, b = numbers
    return a, b


# --- GSM8K-shaped word problems -----------------------------------------------------------------

NAMES = (
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
)
ITEMS = ("apples", "marbles", "stickers", "pencils", "cookies", "books", "shells", "cards")

Template = Callable[[random.Random], tuple[str, str]]


def _gain(rng: random.Random) -> tuple[str, str]:
    name, item = rng.choice(NAMES), rng.choice(ITEMS)
    a, b, c = rng.randint(5, 60), rng.randint(3, 40), rng.randint(2, 20)
    total = a + b - c
    question = (
        f"{name} has {a} {item}. A friend gives {name} {b} more, and then {name} gives "
        f"away {c}. How many {item} does {name} have now?"
    )
    answer = (
        f"After the gift {name} has {a} + {b} = <<{a}+{b}={a + b}>>{a + b} {item}.\n"
        f"After giving some away {name} has {a + b} - {c} = <<{a + b}-{c}={total}>>{total} "
        f"{item}.\n#### {total}"
    )
    return question, answer


def _boxes(rng: random.Random) -> tuple[str, str]:
    item = rng.choice(ITEMS)
    per, boxes, extra = rng.randint(4, 25), rng.randint(3, 12), rng.randint(1, 9)
    total = per * boxes + extra
    question = (
        f"A store packs {per} {item} in each box. It fills {boxes} boxes and has {extra} "
        f"{item} left over. How many {item} did the store have?"
    )
    answer = (
        f"The boxes hold {per} * {boxes} = <<{per}*{boxes}={per * boxes}>>{per * boxes} "
        f"{item}.\nWith the leftovers that is {per * boxes} + {extra} = "
        f"<<{per * boxes}+{extra}={total}>>{total} {item}.\n#### {total}"
    )
    return question, answer


def _change(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(NAMES)
    count, price = rng.randint(2, 9), rng.randint(2, 12)
    cost = count * price
    bill = next(b for b in (20, 50, 100) if b >= cost)
    change = bill - cost
    question = (
        f"{name} buys {count} notebooks that cost ${price} each and pays with a ${bill} "
        f"bill. How much change, in dollars, does {name} get?"
    )
    answer = (
        f"The notebooks cost {count} * {price} = <<{count}*{price}={cost}>>{cost} dollars."
        f"\nThe change is {bill} - {cost} = <<{bill}-{cost}={change}>>{change} dollars.\n"
        f"#### {change}"
    )
    return question, answer


def _share(rng: random.Random) -> tuple[str, str]:
    item = rng.choice(ITEMS)
    friends, each = rng.randint(2, 9), rng.randint(3, 15)
    total = friends * each
    question = (
        f"{total} {item} are shared equally among {friends} friends. How many {item} "
        "does each friend get?"
    )
    answer = (
        f"Each friend gets {total} / {friends} = <<{total}/{friends}={each}>>{each} "
        f"{item}.\n#### {each}"
    )
    return question, answer


def _distance(rng: random.Random) -> tuple[str, str]:
    speed, hours, back = rng.randint(20, 80), rng.randint(2, 6), rng.randint(1, 3)
    first, second = speed * hours, speed * back
    total = first + second
    question = (
        f"A train travels at {speed} miles per hour for {hours} hours, stops, then travels "
        f"{back} more hours at the same speed. How many miles does it travel in all?"
    )
    answer = (
        f"First it travels {speed} * {hours} = <<{speed}*{hours}={first}>>{first} miles.\n"
        f"Then it travels {speed} * {back} = <<{speed}*{back}={second}>>{second} miles.\n"
        f"In all it travels {first} + {second} = <<{first}+{second}={total}>>{total} miles."
        f"\n#### {total}"
    )
    return question, answer


def _discount(rng: random.Random) -> tuple[str, str]:
    pct = rng.choice((10, 20, 25, 50))
    price = rng.randint(2, 30) * 20
    off = price * pct // 100
    sale = price - off
    question = (
        f"A jacket costs ${price}. It is on sale for {pct}% off. What is the sale price in dollars?"
    )
    answer = (
        f"The discount is {price} * {pct} / 100 = <<{price}*{pct}/100={off}>>{off} dollars."
        f"\nThe sale price is {price} - {off} = <<{price}-{off}={sale}>>{sale} dollars.\n"
        f"#### {sale}"
    )
    return question, answer


def _ages(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(NAMES)
    age, gap, years = rng.randint(5, 40), rng.randint(2, 15), rng.randint(2, 20)
    sister = age + gap
    later = sister + years
    question = (
        f"{name} is {age} years old. {name}'s sister is {gap} years older. How old will "
        f"the sister be in {years} years?"
    )
    answer = (
        f"The sister is {age} + {gap} = <<{age}+{gap}={sister}>>{sister} years old.\n"
        f"In {years} years she will be {sister} + {years} = "
        f"<<{sister}+{years}={later}>>{later}.\n#### {later}"
    )
    return question, answer


def _savings(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(NAMES)
    weekly, weeks, spent = rng.randint(5, 40), rng.randint(3, 12), rng.randint(5, 50)
    saved = weekly * weeks
    left = saved - spent
    if left < 0:
        spent, left = saved // 2, saved - saved // 2
    question = (
        f"{name} saves ${weekly} every week for {weeks} weeks and then spends ${spent} "
        f"on a game. How many dollars does {name} have left?"
    )
    answer = (
        f"{name} saves {weekly} * {weeks} = <<{weekly}*{weeks}={saved}>>{saved} dollars.\n"
        f"After the game {name} has {saved} - {spent} = <<{saved}-{spent}={left}>>{left} "
        f"dollars.\n#### {left}"
    )
    return question, answer


TEMPLATES: tuple[Template, ...] = (
    _gain,
    _boxes,
    _change,
    _share,
    _distance,
    _discount,
    _ages,
    _savings,
)


def make_math(seed: int = SEED) -> tuple[list[Record], list[Record]]:
    """Distinct word problems, cycling through the templates, split train/test."""
    rng = random.Random(seed)
    seen: set[str] = set()
    records: list[tuple[str, str]] = []
    while len(records) < N_MATH_TRAIN + N_MATH_TEST:
        question, answer = TEMPLATES[len(records) % len(TEMPLATES)](rng)
        if question not in seen:
            seen.add(question)
            records.append((question, answer))
    rng.shuffle(records)

    def record(split: str, i: int, qa: tuple[str, str]) -> Record:
        return {"id": f"math-{split}-{i:05d}", "question": qa[0], "answer": qa[1]}

    train = [record("train", i, qa) for i, qa in enumerate(records[:N_MATH_TRAIN])]
    test = [record("test", i, qa) for i, qa in enumerate(records[N_MATH_TRAIN:])]
    return train, test


def write_all(directory: Path = DATA_DIR) -> list[Path]:
    """Write the four files into ``directory``; returns their paths."""
    written = []
    for name, (train, test) in (("preference", make_preference()), ("math", make_math())):
        for split, records in (("train", train), ("test", test)):
            path = directory / f"{name}_{split}.jsonl"
            write_jsonl(records, path)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path, path.stat().st_size, "bytes")
    print(json.dumps({"seed": SEED}))
