"""The knowledge hub's relevance collection: fictional items, queries and graded judgments.

Every item is written from what it is about — an *intervention* (mentoring, dialogue circles,
a helpline…), a *theme* of the actors' vocabulary, a place, a kind, a language — in words
that vary from item to item, with the generic words every practice shares ("partners",
"municipality", "coordination") as noise. Queries are information needs phrased as people
type them, often in other words than the items use, some in French. The judgments follow
from what the items are about, never from what a search engine returns:

* 3 — the intervention asked for, on the theme asked for (or any theme, if none is asked);
* 2 — the intervention asked for, on another theme;
* 1 — the theme asked for with another intervention, or a closely related intervention.

``python -m bridgework.knowledge.collection`` writes ``data/relevance_items.json`` and
``data/relevance_queries.json`` (deterministic: the same files on every run). The relevance
test (``tests/test_knowledge_relevance.py``) and the bench (``bench/knowledge_run.py``) read
them; :func:`evaluate` gives nDCG@10 and recall@20 of any ranking function.
"""

from __future__ import annotations

import json
import math
import random
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "Query",
    "evaluate",
    "generate",
    "load_items",
    "load_queries",
    "ndcg_at",
    "recall_at",
    "write",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
ITEMS_FILE = DATA_DIR / "relevance_items.json"
QUERIES_FILE = DATA_DIR / "relevance_queries.json"
SEED = 20261204

# intervention -> (English names, English phrases, French names, French phrases, themes)
INTERVENTIONS: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {
    "mentoring": (
        ["Mentoring programme", "Peer mentoring scheme", "Mentor network"],
        [
            "trained volunteer mentors meet young people weekly",
            "each mentee is paired with a mentor from their neighbourhood",
            "mentors follow pupils at risk of exclusion for a school year",
        ],
        ["Programme de mentorat", "Réseau de mentors"],
        [
            "des mentors bénévoles rencontrent chaque semaine des jeunes",
            "chaque jeune est accompagné par un mentor de son quartier",
        ],
        ["youth-engagement", "schools-education", "reintegration"],
    ),
    "dialogue": (
        ["Dialogue circles", "Community dialogue sessions", "Listening circles"],
        [
            "residents of different faiths and origins sit together in facilitated circles",
            "a trained facilitator guides conversations between neighbours in conflict",
            "dialogue sessions bring together groups that rarely meet",
        ],
        ["Cercles de dialogue", "Rencontres de dialogue communautaire"],
        [
            "des habitants de confessions et d'origines différentes dialoguent en cercle",
            "un animateur formé guide les échanges entre voisins",
        ],
        ["interfaith-dialogue", "social-cohesion", "womens-participation"],
    ),
    "teacher-training": (
        ["Teacher training", "Training course for school staff", "Classroom resilience course"],
        [
            "teachers learn to recognise and discuss extremist narratives in class",
            "school staff are trained to respond to hateful remarks by pupils",
            "a course gives educators tools for difficult conversations",
        ],
        ["Formation des enseignants", "Formation du personnel scolaire"],
        [
            "les enseignants apprennent à reconnaître les discours extrémistes en classe",
            "le personnel scolaire est formé à répondre aux propos haineux",
        ],
        ["schools-education", "training-capacity"],
    ),
    "situation-table": (
        ["Multi-agency situation table", "Multi-agency hub", "Case conference table"],
        [
            "police, health, social services and schools meet weekly to act on situations of "
            "acutely elevated risk",
            "agencies share what they know, within the law, and agree who acts first",
            "a multi-agency table reviews referrals and assigns a lead agency",
        ],
        ["Table de concertation multi-agences", "Cellule multi-partenaires"],
        [
            "police, santé, services sociaux et écoles se réunissent chaque semaine sur les "
            "situations à risque élevé",
            "les partenaires décident ensemble qui intervient en premier",
        ],
        ["community-policing", "early-warning", "psychosocial-support"],
    ),
    "helpline": (
        ["Helpline for families", "Confidential hotline", "Advice line"],
        [
            "families worried about a relative can call a confidential helpline",
            "trained counsellors answer calls and refer callers to local services",
            "the hotline runs evenings and weekends",
        ],
        ["Ligne d'écoute pour les familles", "Numéro d'aide confidentiel"],
        [
            "les familles inquiètes pour un proche peuvent appeler une ligne d'écoute",
            "des écoutants formés orientent les appelants vers les services locaux",
        ],
        ["psychosocial-support", "victim-support", "early-warning"],
    ),
    "counter-narrative": (
        ["Counter-narrative campaign", "Online alternative narratives", "Social media campaign"],
        [
            "young creators produce videos that answer hateful content online",
            "the campaign offers alternative narratives on social media platforms",
            "messages were tested with the audiences they address",
        ],
        ["Campagne de contre-discours", "Contre-récits en ligne"],
        [
            "de jeunes créateurs réalisent des vidéos qui répondent aux contenus haineux",
            "la campagne diffuse des récits alternatifs sur les réseaux sociaux",
        ],
        ["online-hate-disinformation", "strategic-communication", "youth-engagement"],
    ),
    "sport": (
        ["Football league for cohesion", "Sport for inclusion", "Night basketball"],
        [
            "mixed teams from rival neighbourhoods play in a weekly league",
            "coaches use matches to talk about fairness and respect",
            "sport sessions reach boys and girls who left school",
        ],
        ["Ligue de football pour la cohésion", "Sport et inclusion"],
        [
            "des équipes mixtes de quartiers rivaux jouent dans une ligue hebdomadaire",
            "les entraîneurs parlent de respect et d'équité pendant les matchs",
        ],
        ["youth-engagement", "social-cohesion"],
    ),
    "liaison-officers": (
        ["Community liaison officers", "Neighbourhood police liaison", "Police outreach team"],
        [
            "officers are assigned to build trust with faith and community leaders",
            "police liaison officers attend community events and answer concerns",
            "a named officer is the contact point for each community",
        ],
        ["Agents de liaison communautaire", "Police de proximité"],
        [
            "des agents de police tissent des liens de confiance avec les responsables",
            "un agent désigné est l'interlocuteur de chaque communauté",
        ],
        ["community-policing", "interfaith-dialogue"],
    ),
    "incident-reporting": (
        ["Hate incident reporting system", "Tension monitoring", "Early warning dashboard"],
        [
            "residents report hate incidents online or through partner organisations",
            "reports are mapped weekly so tensions are seen early",
            "the dashboard shows trends of incidents by neighbourhood",
        ],
        ["Système de signalement des incidents haineux", "Veille des tensions"],
        [
            "les habitants signalent les incidents haineux en ligne ou auprès des associations",
            "les signalements sont cartographiés chaque semaine",
        ],
        ["early-warning", "victim-support", "research-evidence"],
    ),
    "exit-programme": (
        ["Exit programme", "Disengagement and reintegration support", "Deradicalisation exit"],
        [
            "people leaving violent extremist groups receive housing, work and counselling",
            "a caseworker supports each participant for up to two years",
            "former members help others disengage",
        ],
        ["Programme de sortie", "Accompagnement à la réinsertion"],
        [
            "les personnes qui quittent un groupe extrémiste violent reçoivent un accompagnement",
            "un référent suit chaque participant pendant deux ans",
        ],
        ["reintegration", "psychosocial-support"],
    ),
    "media-literacy": (
        ["Media literacy workshops", "Fact-checking clubs", "Digital literacy course"],
        [
            "pupils learn to check sources and spot disinformation",
            "workshops show how manipulated images and rumours spread",
            "fact-checking clubs meet after school",
        ],
        ["Ateliers d'éducation aux médias", "Clubs de vérification des faits"],
        [
            "les élèves apprennent à vérifier les sources et repérer la désinformation",
            "les ateliers montrent comment les rumeurs se propagent",
        ],
        ["online-hate-disinformation", "schools-education"],
    ),
    "women-mediators": (
        ["Women mediators network", "Women-led mediation", "Mothers' circles"],
        [
            "women from each community are trained as mediators in local disputes",
            "mothers meet to share concerns about their children's radicalisation",
            "women mediators defuse tensions before they escalate",
        ],
        ["Réseau de médiatrices", "Médiation portée par les femmes"],
        [
            "des femmes de chaque communauté sont formées à la médiation",
            "les médiatrices apaisent les tensions avant qu'elles ne dégénèrent",
        ],
        ["womens-participation", "social-cohesion"],
    ),
    "trauma-support": (
        ["Trauma counselling groups", "Psychosocial support for victims", "Healing circles"],
        [
            "counsellors run groups for people affected by hate crime",
            "victims of attacks receive psychological first aid and follow-up",
            "healing circles help communities recover after violence",
        ],
        ["Soutien psychosocial aux victimes", "Groupes de parole"],
        [
            "des psychologues animent des groupes pour les victimes de crimes de haine",
            "les victimes d'attaques reçoivent un soutien psychologique",
        ],
        ["psychosocial-support", "victim-support"],
    ),
    "interfaith-council": (
        ["Interfaith council", "Council of faith leaders", "Religious leaders forum"],
        [
            "leaders of churches, mosques and temples meet monthly with the mayor",
            "faith leaders issue joint statements after incidents",
            "the council plans shared community service days",
        ],
        ["Conseil interreligieux", "Forum des responsables religieux"],
        [
            "les responsables des églises, mosquées et temples rencontrent le maire",
            "les responsables religieux publient des déclarations communes",
        ],
        ["interfaith-dialogue", "strategic-communication"],
    ),
}

RELATED = {
    "mentoring": {"exit-programme", "sport"},
    "dialogue": {"interfaith-council", "women-mediators"},
    "teacher-training": {"media-literacy"},
    "situation-table": {"liaison-officers", "helpline"},
    "helpline": {"trauma-support", "situation-table"},
    "counter-narrative": {"media-literacy"},
    "sport": {"mentoring"},
    "liaison-officers": {"situation-table"},
    "incident-reporting": {"situation-table"},
    "exit-programme": {"mentoring"},
    "media-literacy": {"counter-narrative", "teacher-training"},
    "women-mediators": {"dialogue"},
    "trauma-support": {"helpline"},
    "interfaith-council": {"dialogue"},
}

THEME_WORDS = {
    "youth-engagement": (
        "young people and youth groups",
        "les jeunes et les associations de jeunesse",
    ),
    "community-policing": ("community policing", "la police de proximité"),
    "interfaith-dialogue": ("interfaith relations", "les relations interreligieuses"),
    "online-hate-disinformation": ("online hate and disinformation", "la haine en ligne"),
    "psychosocial-support": ("psychosocial support", "le soutien psychosocial"),
    "schools-education": ("schools", "les écoles"),
    "victim-support": ("support to victims", "l'aide aux victimes"),
    "research-evidence": ("research and data", "la recherche et les données"),
    "training-capacity": ("building skills", "le renforcement des compétences"),
    "social-cohesion": ("social cohesion between neighbourhoods", "la cohésion sociale"),
    "early-warning": ("early warning of tensions", "l'alerte précoce"),
    "reintegration": ("reintegration", "la réinsertion"),
    "womens-participation": ("women's participation", "la participation des femmes"),
    "strategic-communication": ("public communication", "la communication publique"),
}

PLACES_EN = ["Peel Region", "Mississauga", "Brampton", "Lilongwe City", "Chilinde",
             "Blantyre City", "Tirana", "Kamëz"]  # fmt: skip
PLACES_FR = ["Tirana", "Kamëz", "Lilongwe City", "Peel Region", "Mississauga"]
KINDS = ["practice", "case_study", "policy_brief", "toolkit", "evaluation", "training"]
EVIDENCE = ["promising", "documented", "evaluated", "rigorous"]
SECTORS = ["local_government", "police", "education", "civil_society", "faith_based", "health",
           "social_services", "youth"]  # fmt: skip

NOISE_EN = [
    "The municipality coordinated the partners and reported results to the council.",
    "Partners met every quarter to review progress and adjust the plan.",
    "Funding came from the city budget and a national prevention grant.",
    "Lessons learned: start small, involve residents early, and keep records.",
    "Local coordination improved and the partners agreed to continue.",
    "The approach can be adapted by other cities with modest resources.",
]
NOISE_FR = [
    "La municipalité a coordonné les partenaires et rendu compte au conseil.",
    "Les partenaires se sont réunis chaque trimestre pour suivre les progrès.",
    "Le financement provient du budget de la ville et d'une subvention nationale.",
    "Leçons apprises : commencer petit, associer les habitants, garder des traces.",
]
OUTCOMES_EN = [
    "Participants reported more trust in local institutions.",
    "Referrals to specialist services doubled in the first year.",
    "Fewer incidents were recorded in the neighbourhoods involved.",
    "An independent evaluation found lasting changes in attitudes.",
]
OUTCOMES_FR = [
    "Les participants disent avoir davantage confiance dans les institutions locales.",
    "Les orientations vers les services spécialisés ont doublé la première année.",
    "Moins d'incidents ont été enregistrés dans les quartiers concernés.",
]


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    language: str
    judgments: dict[str, int]  # item key -> grade (1..3)


def _sectors(first: str, key: str) -> list[str]:
    """One sector, and for about a third of the items a partner sector too: taken from the
    key, not from the random draws, so every other field stays as it was generated before."""
    if zlib.crc32(key.encode()) % 3:
        return [first]
    return [first, SECTORS[(SECTORS.index(first) + 3) % len(SECTORS)]]


def _item(rng: random.Random, key: str, intervention: str, theme: str, language: str) -> dict:
    en_names, en_phrases, fr_names, fr_phrases, _themes = INTERVENTIONS[intervention]
    theme_en, theme_fr = THEME_WORDS[theme]
    if language == "fr":
        place = rng.choice(PLACES_FR)
        name = rng.choice(fr_names)
        title = f"{name} : {theme_fr} à {place}"
        summary = f"{name} à {place}, centré sur {theme_fr}. {rng.choice(fr_phrases).capitalize()}."
        sentences = [*rng.sample(fr_phrases, len(fr_phrases)), rng.choice(OUTCOMES_FR),
                     *rng.sample(NOISE_FR, 2)]  # fmt: skip
        body = "## Description\n\n" + " ".join(
            s[0].upper() + s[1:] + "." if not s.endswith(".") else s for s in sentences
        )
    else:
        place = rng.choice(PLACES_EN)
        name = rng.choice(en_names)
        title = f"{name} on {theme_en} in {place}"
        summary = (
            f"{name} in {place}, focused on {theme_en}. {rng.choice(en_phrases).capitalize()}."
        )
        sentences = [*rng.sample(en_phrases, len(en_phrases)), rng.choice(OUTCOMES_EN),
                     *rng.sample(NOISE_EN, 3)]  # fmt: skip
        body = "## What was done\n\n" + " ".join(
            s[0].upper() + s[1:] + "." if not s.endswith(".") else s for s in sentences
        )
    return {
        "key": key,
        "intervention": intervention,
        "theme": theme,
        "language": language,
        "place": place,
        "kind": rng.choice(KINDS),
        "evidence": rng.choice(EVIDENCE),
        "sectors": _sectors(rng.choice(SECTORS), key),
        "title": title + " (demo)",
        "summary": summary,
        "body": body,
    }


# (text, language, intervention or None, theme or None)
QUERIES: list[tuple[str, str, str | None, str | None]] = [
    ("mentoring young people", "en", "mentoring", None),
    ("mentors for pupils at risk of exclusion", "en", "mentoring", "schools-education"),
    ("mentor support after leaving prison or extremism", "en", "mentoring", "reintegration"),
    ("mentorat des jeunes", "fr", "mentoring", None),
    ("dialogue between faiths", "en", "dialogue", "interfaith-dialogue"),
    ("facilitated conversations between neighbours", "en", "dialogue", None),
    ("listening circles social cohesion", "en", "dialogue", "social-cohesion"),
    ("cercles de dialogue", "fr", "dialogue", None),
    ("training teachers on extremism", "en", "teacher-training", None),
    ("course for school staff hateful remarks", "en", "teacher-training", "schools-education"),
    ("formation des enseignants", "fr", "teacher-training", None),
    ("educators difficult conversations skills", "en", "teacher-training", "training-capacity"),
    ("multi-agency situation table", "en", "situation-table", None),
    ("agencies meet on elevated risk cases", "en", "situation-table", None),
    ("police health schools referral table", "en", "situation-table", "community-policing"),
    ("table de concertation multi-agences", "fr", "situation-table", None),
    ("helpline for worried families", "en", "helpline", None),
    ("confidential hotline counselling", "en", "helpline", "psychosocial-support"),
    ("ligne d'écoute familles", "fr", "helpline", None),
    ("hotline victims referral", "en", "helpline", "victim-support"),
    ("counter narrative campaign online", "en", "counter-narrative", None),
    (
        "videos answering hate on social media",
        "en",
        "counter-narrative",
        "online-hate-disinformation",
    ),  # fmt: skip
    ("campagne de contre-discours", "fr", "counter-narrative", None),
    ("alternative narratives youth creators", "en", "counter-narrative", "youth-engagement"),
    ("football league rival neighbourhoods", "en", "sport", None),
    ("sport for social inclusion", "en", "sport", "social-cohesion"),
    ("ligue de football cohésion", "fr", "sport", None),
    ("basketball youth outreach", "en", "sport", "youth-engagement"),
    ("community liaison officers", "en", "liaison-officers", None),
    ("police building trust with faith leaders", "en", "liaison-officers", "interfaith-dialogue"),
    ("police de proximité confiance", "fr", "liaison-officers", None),
    ("neighbourhood police contact point", "en", "liaison-officers", "community-policing"),
    ("reporting hate incidents", "en", "incident-reporting", None),
    ("monitoring tensions early warning", "en", "incident-reporting", "early-warning"),
    ("signalement des incidents haineux", "fr", "incident-reporting", None),
    ("incident data trends research", "en", "incident-reporting", "research-evidence"),
    ("exit programme for extremists", "en", "exit-programme", None),
    ("disengagement housing work counselling", "en", "exit-programme", "reintegration"),
    ("programme de sortie réinsertion", "fr", "exit-programme", None),
    ("former members help others leave", "en", "exit-programme", None),
    ("media literacy for pupils", "en", "media-literacy", None),
    ("fact checking disinformation", "en", "media-literacy", "online-hate-disinformation"),
    ("éducation aux médias", "fr", "media-literacy", None),
    ("spot rumours and manipulated images", "en", "media-literacy", None),
    ("women mediators", "en", "women-mediators", None),
    ("mothers worried about radicalisation", "en", "women-mediators", "womens-participation"),
    ("médiatrices", "fr", "women-mediators", None),
    ("women defuse local disputes", "en", "women-mediators", "social-cohesion"),
    ("trauma counselling after hate crime", "en", "trauma-support", None),
    ("psychological support for victims of attacks", "en", "trauma-support", "victim-support"),
    ("soutien psychologique victimes", "fr", "trauma-support", None),
    ("healing circles after violence", "en", "trauma-support", "psychosocial-support"),
    ("interfaith council with the mayor", "en", "interfaith-council", None),
    (
        "joint statements of religious leaders",
        "en",
        "interfaith-council",
        "strategic-communication",
    ),  # fmt: skip
    ("conseil interreligieux", "fr", "interfaith-council", None),
    ("faith leaders forum", "en", "interfaith-council", "interfaith-dialogue"),
    ("youth engagement", "en", None, "youth-engagement"),
    ("online hate", "en", None, "online-hate-disinformation"),
    ("victim support", "en", None, "victim-support"),
    ("reintegration", "en", None, "reintegration"),
    ("women's participation", "en", None, "womens-participation"),
    ("early warning", "en", None, "early-warning"),
    ("la cohésion sociale", "fr", None, "social-cohesion"),
    ("les écoles", "fr", None, "schools-education"),
]


def _grade(item: dict, intervention: str | None, theme: str | None) -> int:
    same_intervention = intervention is not None and item["intervention"] == intervention
    same_theme = theme is not None and item["theme"] == theme
    if same_intervention:
        return 3 if theme is None or same_theme else 2
    if intervention is None:
        return 3 if same_theme else 0
    if same_theme or item["intervention"] in RELATED.get(intervention, ()):
        return 1
    return 0


def generate(seed: int = SEED) -> tuple[list[dict], list[Query]]:
    """The items and the judged queries (the same for the same seed)."""
    rng = random.Random(seed)
    items = []
    for intervention, (*_text, themes) in INTERVENTIONS.items():
        for theme in themes:
            for n in range(10):
                language = "fr" if n % 3 == 2 else "en"
                key = f"{intervention}/{theme}/{n}"
                items.append(_item(rng, key, intervention, theme, language))
    queries = []
    for number, (text, query_language, wanted, on_theme) in enumerate(QUERIES, start=1):
        judgments = {
            item["key"]: grade for item in items if (grade := _grade(item, wanted, on_theme)) > 0
        }
        queries.append(Query(f"q{number:02d}", text, query_language, judgments))
    return items, queries


def write() -> None:
    items, queries = generate()
    DATA_DIR.mkdir(exist_ok=True)
    ITEMS_FILE.write_text(json.dumps(items, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    QUERIES_FILE.write_text(
        json.dumps(
            [
                {"id": q.id, "text": q.text, "language": q.language, "judgments": q.judgments}
                for q in queries
            ],  # fmt: skip
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def load_items() -> list[dict]:
    return json.loads(ITEMS_FILE.read_text(encoding="utf-8"))


def load_queries() -> list[Query]:
    rows = json.loads(QUERIES_FILE.read_text(encoding="utf-8"))
    return [Query(r["id"], r["text"], r["language"], r["judgments"]) for r in rows]


def ndcg_at(ranking: list[str], judgments: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` results (gain 2^grade - 1)."""

    def dcg(grades: Iterable[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted(judgments.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(judgments.get(key, 0) for key in ranking[:k]) / ideal


def recall_at(ranking: list[str], judgments: dict[str, int], k: int = 20) -> float:
    """The share of the relevant items (any grade) found in the first ``k`` results, out of
    the most that ``k`` results could hold."""
    relevant = {key for key, grade in judgments.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / min(k, len(relevant))


def evaluate(rank: Callable[[str], list[str]], queries: list[Query]) -> dict[str, float]:
    """Mean nDCG@10 and recall@20 of ``rank(text) -> item keys, best first``."""
    ndcg = recall = 0.0
    for query in queries:
        ranking = rank(query.text)
        ndcg += ndcg_at(ranking, query.judgments)
        recall += recall_at(ranking, query.judgments)
    return {"ndcg@10": ndcg / len(queries), "recall@20": recall / len(queries)}


if __name__ == "__main__":
    write()
    items, queries = generate()
    print(f"{len(items)} items, {len(queries)} queries written to {DATA_DIR}")
