"""Protected characteristics, 2021 Census style (England and Wales).

Every list keeps "not asked / not known" apart from "prefer not to say": the first is a gap in
the record, the second is the person's answer.
"""

from django.db import models

NOT_KNOWN = "not_known"
PREFER_NOT = "prefer_not"
NOT_KNOWN_LABEL = "Not asked / not known"
PREFER_NOT_LABEL = "Prefer not to say"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Another gender"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class Ethnicity(models.TextChoices):
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian/Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian/Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian/Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian/Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian/Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black/Black British/Caribbean/African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black/Black British/Caribbean/African: Caribbean"
    BLACK_OTHER = "black_other", "Black/Black British/Caribbean/African: any other Black background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple: any other Mixed background"
    WHITE_BRITISH = (
        "white_british",
        "White: English, Welsh, Scottish, Northern Irish or British",
    )
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


ETHNICITY_HEADINGS = {
    "Asian or Asian British": ["asian_"],
    "Black, Black British, Caribbean or African": ["black_"],
    "Mixed or multiple ethnic groups": ["mixed_"],
    "White": ["white_"],
    "Other ethnic group": ["other_"],
}


def ethnicity_grouped_choices():
    """Choices for a <select> with the five Census headings as option groups."""
    groups = [("", [(NOT_KNOWN, NOT_KNOWN_LABEL), (PREFER_NOT, PREFER_NOT_LABEL)])]
    for heading, prefixes in ETHNICITY_HEADINGS.items():
        options = [
            (value, label.split(": ", 1)[1])
            for value, label in Ethnicity.choices
            if value.startswith(tuple(prefixes))
        ]
        groups.append((heading, options))
    return groups


def is_ethnic_minority(ethnicity):
    """The equity split: every recorded group except White British (White minorities included).

    None when not recorded or declined, so the split never guesses.
    """
    if ethnicity in {None, "", NOT_KNOWN, PREFER_NOT}:
        return None
    return ethnicity != Ethnicity.WHITE_BRITISH


class SexualOrientation(models.TextChoices):
    HETEROSEXUAL = "heterosexual", "Straight or heterosexual"
    GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Another sexual orientation"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    BUDDHIST = "buddhist", "Buddhist"
    CHRISTIAN = "christian", "Christian"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion or belief"
    NOT_KNOWN = NOT_KNOWN, NOT_KNOWN_LABEL
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


def is_disabled(disability):
    """The disability split: a long-term condition that limits day-to-day activities. None when
    not recorded or declined, so the split never guesses."""
    if disability in {None, "", NOT_KNOWN, PREFER_NOT}:
        return None
    return disability == YesNo.YES


def age_on(*, date_of_birth, approximate_age, approximate_age_recorded_on, on):
    """Age in whole years on a day: from the date of birth, or else from an approximate age
    recorded earlier (a year older for every full year since). None when neither is known."""
    if date_of_birth:
        return (
            on.year
            - date_of_birth.year
            - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
        )
    if approximate_age is not None:
        recorded = approximate_age_recorded_on or on
        return approximate_age + max(0, (on - recorded).days // 365)
    return None


# The age bands of the return's equity split: (key, label, youngest, oldest or None). The
# programme takes people from 16; the bands follow the youth (to 25) and older-people (50 and
# over) thresholds partner services use.
AGE_BANDS = [
    ("16_25", "Age 16–25", 16, 25),
    ("26_35", "Age 26–35", 26, 35),
    ("36_49", "Age 36–49", 36, 49),
    ("50_plus", "Age 50 and over", 50, None),
]


def age_band(age):
    """The AGE_BANDS key an age falls in; None when the age is not known (or under 16)."""
    if age is None:
        return None
    for key, _label, youngest, oldest in AGE_BANDS:
        if age >= youngest and (oldest is None or age <= oldest):
            return key
    return None
