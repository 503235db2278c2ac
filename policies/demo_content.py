"""An original demo baseline written for Accord, in three versions, so that a fresh site has
history to read and compare. Not a real policy: adapt nothing from it."""

V1 = """\
# Shared Conduct Baseline

## Why this exists

Our communities build things together across languages, time zones and backgrounds.
This baseline sets out what each of us can expect from the others, and what happens
when those expectations are not met.

## What we expect

- Assume good faith, and ask before you conclude.
- Disagree with ideas, never with a person's worth.
- Give credit for the work of others.
- Make room for newcomers and for people who write in a second language.

## What is not acceptable

- Insults, slurs or demeaning jokes.
- Unwelcome sexual attention.
- Publishing someone's private details without their consent.
- Repeatedly following someone across spaces after they asked you to stop.

## Where this applies

This baseline covers the wikis, chat rooms, mailing lists, repositories and meetups
run by a participating community, and any place where you act on its behalf.

## How to report a problem

Write to [CONTACT METHOD]. You will get an answer within a week. Reports are read
by the smallest group of people who can act on them.

## What happens after a report

The [GOVERNING BODY] looks at each report, asks the people involved for their account,
and decides on a response. Responses range from a private note to a permanent ban.
"""

V2 = """\
# Shared Conduct Baseline

## Why this exists

Our communities build things together across languages, time zones and backgrounds.
This baseline sets out what each of us can expect from the others, and what happens
when those expectations are not met. It is a floor, not a ceiling: a community may
ask more of its members.

## What we expect

- Assume good faith, and ask before you conclude.
- Disagree with ideas, never with a person's worth.
- Give credit for the work of others, including translations and reviews.
- Make room for newcomers and for people who write in a second language.

## What is not acceptable

- Insults, slurs or demeaning jokes, whatever the target's identity.
- Unwelcome sexual attention.
- Publishing someone's private details without their consent.
- Repeatedly following someone across spaces after they asked you to stop.
- Threats of violence, including veiled ones.

## Where this applies

This baseline covers the wikis, chat rooms, mailing lists, repositories and meetups
run by a participating community, and any place where you act on its behalf.

## How to report a problem

Write to [CONTACT METHOD]. You will get an acknowledgement within three days and an
answer within two weeks. Reports are read by the smallest group of people who can act
on them, and nobody named in a report takes part in deciding it.

## What happens after a report

The [GOVERNING BODY] looks at each report, asks the people involved for their account,
and decides on a response. Responses range from a private note to a permanent ban.
"""

V3 = """\
# Shared Conduct Baseline

## Purpose

Our communities build things together across languages, time zones and backgrounds.
This baseline sets out what each of us can expect from the others, and what happens
when those expectations are not met. It is a floor, not a ceiling: a community may
ask more of its members.

## Where this applies

This baseline covers the wikis, chat rooms, mailing lists, repositories and meetups
run by a participating community, and any place where you act on its behalf.

## What we expect

- Assume good faith, and ask before you conclude.
- Disagree with ideas, never with a person's worth.
- Give credit for the work of others, including translations and reviews.
- Make room for newcomers and for people who write in a second language.

## What is not acceptable

- Insults, slurs or demeaning jokes, whatever the target's identity.
- Unwelcome sexual attention.
- Publishing someone's private details without their consent.
- Repeatedly following someone across spaces after they asked you to stop.
- Threats of violence, including veiled ones.

## How to report a problem

Write to [CONTACT METHOD]. You will get an acknowledgement within three days and an
answer within two weeks. Reports are read by the smallest group of people who can act
on them, and nobody named in a report takes part in deciding it.

## What happens after a report

The [GOVERNING BODY] looks at each report, asks the people involved for their account,
and decides on a response. Responses range from a private note to a permanent ban.

## Appeals

Anyone subject to a decision may ask for it to be reviewed once, by people who did not
take the first decision. Write to [CONTACT METHOD] within thirty days.
"""

VERSIONS = [
    ("ana", "1.0", V1, "First draft of the shared baseline."),
    (
        "ben",
        "1.1",
        V2,
        "Clarify response times for reports, add threats of violence, credit translators.",
    ),
    (
        "ana",
        "2.0",
        V3,
        "Rename the opening section, move 'Where this applies' up, add an appeals section.",
    ),
]

# A German translation of version 2, so the demo shows a translation that version 3 has made
# outdated in some sections (renamed, moved and new ones) but not in others.
V2_DE = """\
# Gemeinsame Verhaltensgrundlage

## Warum es sie gibt

Unsere Gemeinschaften schaffen gemeinsam über Sprachen, Zeitzonen und Lebenswege hinweg.
Diese Grundlage legt fest, was wir voneinander erwarten können und was geschieht, wenn
diese Erwartungen nicht erfüllt werden. Sie ist ein Mindestmaß, keine Obergrenze: Eine
Gemeinschaft darf von ihren Mitgliedern mehr verlangen.

## Was wir erwarten

- Geht von guten Absichten aus und fragt nach, bevor ihr urteilt.
- Widersprecht Ideen, niemals dem Wert eines Menschen.
- Würdigt die Arbeit anderer, auch Übersetzungen und Durchsichten.
- Macht Platz für Neue und für Menschen, die in einer Zweitsprache schreiben.

## Was nicht akzeptabel ist

- Beleidigungen, herabwürdigende Ausdrücke oder abwertende Witze, gleich gegen wen.
- Unerwünschte sexuelle Aufmerksamkeit.
- Das Veröffentlichen privater Angaben anderer ohne deren Zustimmung.
- Jemandem wiederholt über verschiedene Orte hinweg zu folgen, nachdem er darum gebeten hat,
  es zu lassen.
- Gewaltdrohungen, auch versteckte.

## Wo sie gilt

Diese Grundlage gilt für die Wikis, Chaträume, Mailinglisten, Repositorien und Treffen einer
teilnehmenden Gemeinschaft und überall dort, wo ihr in ihrem Namen handelt.

## Wie man ein Problem meldet

Schreibt an [CONTACT METHOD]. Ihr erhaltet innerhalb von drei Tagen eine Bestätigung und
innerhalb von zwei Wochen eine Antwort. Meldungen lesen nur so wenige Menschen wie nötig, um
handeln zu können, und niemand, der in einer Meldung genannt wird, entscheidet über sie mit.

## Was nach einer Meldung geschieht

Das [GOVERNING BODY] prüft jede Meldung, hört die Beteiligten an und entscheidet über eine
Reaktion. Sie reicht von einem privaten Hinweis bis zum dauerhaften Ausschluss.
"""
