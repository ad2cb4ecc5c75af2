"""Reference rows the response module needs: bias categories and the tension scale.

Administrators may rename them, add a country's own categories or change the scale; seed()
only adds what is missing."""

from django.utils.translation import gettext_noop

from .choices import BiasScheme
from .models import BiasCategory, TensionLevel

# The OSCE/ODIHR hate crime reporting categories.
ODIHR = [
    ("racism-xenophobia", gettext_noop("Racism and xenophobia")),
    ("anti-roma", gettext_noop("Bias against Roma and Sinti")),
    ("antisemitism", gettext_noop("Antisemitism")),
    ("anti-muslim", gettext_noop("Bias against Muslims")),
    ("anti-christian", gettext_noop("Bias against Christians")),
    ("other-religion", gettext_noop("Bias against members of other religions")),
    ("anti-lgbti", gettext_noop("Bias against LGBTI people")),
    ("gender", gettext_noop("Gender-based bias")),
    ("disability", gettext_noop("Bias against people with disabilities")),
    ("other-bias", gettext_noop("Other bias")),
]
# The five strands UK police monitor.
UK = [
    ("uk-race", gettext_noop("Race or ethnicity")),
    ("uk-religion", gettext_noop("Religion or belief")),
    ("uk-sexual-orientation", gettext_noop("Sexual orientation")),
    ("uk-disability", gettext_noop("Disability")),
    ("uk-transgender", gettext_noop("Transgender identity")),
]
LEVELS = [
    (1, gettext_noop("Normal"), gettext_noop("Usual background of tension")),
    (2, gettext_noop("Elevated"), gettext_noop("Some signs of rising tension")),
    (3, gettext_noop("High"), gettext_noop("Tension is affecting daily life")),
    (4, gettext_noop("Severe"), gettext_noop("Disorder or serious incidents are likely")),
    (5, gettext_noop("Critical"), gettext_noop("Disorder is happening or imminent")),
]


def seed() -> None:
    existing = set(BiasCategory.objects.values_list("slug", flat=True))
    rows = [
        BiasCategory(slug=slug, name=name, scheme=scheme, order=order)
        for scheme, entries in ((BiasScheme.ODIHR, ODIHR), (BiasScheme.UK, UK))
        for order, (slug, name) in enumerate(entries)
        if slug not in existing
    ]
    BiasCategory.objects.bulk_create(rows)
    values = set(TensionLevel.objects.values_list("value", flat=True))
    TensionLevel.objects.bulk_create(
        [
            TensionLevel(value=value, name=name, description=description)
            for value, name, description in LEVELS
            if value not in values
        ]
    )
