"""How a question is read: context, settings, drugs the source does not name, focus, normalisation."""

from __future__ import annotations

import pytest

from nms_bot.core.text import normalise, words

CONTEXT = [
    "45F, T 40.5, CK 40k, rigid as a board, NPO via NGT.",
    "52M on haldol for 3 days, diaphoretic, tachycardic, lead pipe rigidity, Cr 2.1.",
    "pt in the ED, cola colored urine, HR 130, worried this is NMS -",
    "psych resident here, suspect NMS, sats ok, SBP 160s, CK climbing:",
]
QUESTIONS = [
    ("give dantrolene?", "dantrolene"),
    ("bromocriptine via NGT ok?", "bromocriptine"),
    ("how do we cool him", "cooling"),
    ("IV fluids for the CK?", "fluids"),
    ("ECT?", "ect"),
    ("what should we monitor", "monitoring"),
    ("heparin ppx?", "anticoagulation"),
]


@pytest.mark.parametrize("context", CONTEXT)
@pytest.mark.parametrize("question, topic", QUESTIONS)
def test_clinical_context_does_not_lower_a_match(engine, context, question, topic):
    plain = engine.matcher.match(question)
    assert (plain.status, plain.topic_id) == ("answer", topic)
    with_context = engine.matcher.match(f"{context} {question}")
    assert (with_context.status, with_context.topic_id) == ("answer", topic), f"{context} {question}"


def test_context_words_are_read_as_neutral(engine):
    r = engine.matcher.reader.read("45F NPO via NGT, lead pipe rigidity, diaphoretic: dantrolene?")
    assert {"npo", "ngt", "lead pipe", "rigid", "diaphoretic"} <= set(r.context)
    assert set(r.content) == {"dantrolen"}


def test_a_finding_with_its_value_or_a_place_is_a_setting_not_the_subject(engine):
    r = engine.matcher.reader.read("CK 12k on haldol in the ICU, dantrolene 2 mg?")
    assert r.content == {"ck": True, "antipsychot": True, "icu": True, "dantrolen": False}
    assert r.dose == ["mg"]


def test_the_last_clause_that_asks_something_weighs_most(engine):
    m = engine.matcher.match("45M NMS day 2, T 39.8 despite cooling blanket, CK 25k. anyone using dantrolene for this?")
    assert (m.status, m.topic_id) == ("answer", "dantrolene")


@pytest.mark.parametrize(
    "question, topic",
    [
        ("dantrium for NMS", "dantrolene"),  # brand of a drug the source names
        ("parlodel nms", "bromocriptine"),
        ("seroquel nms, d/c it?", "stop-antipsychotic"),  # brands of antipsychotics
        ("zyprexa nms hold?", "stop-antipsychotic"),
        ("ativan for agitation in nms", "benzodiazepines"),
        ("amantadine for NMS", "bromocriptine"),  # a dopaminergic drug the source does not name
        ("apap for nms fever", "cooling"),
        ("NS bolus for nms", "fluids"),
        ("CPK high in nms", "fluids"),
        ("myoglobinuria nms", "fluids"),
        ("nms pt to MICU or stay on the floor?", "supportive-care"),
        ("step up to the unit for nms?", "supportive-care"),
    ],
)
def test_everyday_names_of_drugs_findings_and_settings(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_later_does_not_mean_restarting(engine):
    m = engine.matcher.match("CK still rising later today in nms, what now")
    assert "rechallenge" not in (m.topic_id, *(t for t, _ in m.suggestions[:1]))


@pytest.mark.parametrize(
    "typed, read",
    [
        ("dantrol\u00e8ne", ["dantrolene"]),  # accents
        ("dan\u200btrolene", ["dantrolene"]),  # zero-width space
        ("\uff24\uff21\uff2e\uff34\uff32\uff2f\uff2c\uff25\uff2e\uff25", ["dantrolene"]),  # full-width
        ("~haldol~ zyprexa", ["zyprexa"]),  # struck out: not part of the question
        ("*bold* _italic_ `code`", ["bold", "italic", "code"]),
        ("T 40.5 CK 12k 2mg/kg", ["t", "40.5", "ck", "12", "k", "2", "mg", "kg"]),
    ],
)
def test_text_is_normalised_before_matching(typed, read):
    assert words(normalise(typed)) == read


def test_struck_out_word_is_not_corrected_into_another_condition(engine):
    m = engine.matcher.match("~strike~ dantrolene in nms")
    assert (m.status, m.topic_id) == ("answer", "dantrolene")


def test_and_before_a_question_word_starts_a_second_question():
    from nms_bot.core.text import clause_words

    numbered, asking, marked = clause_words("stop the haldol? and what do we give for agitation instead")
    clause = dict((w, n) for n, w in numbered)
    assert clause["haldol"] != clause["agitation"] and {clause["haldol"], clause["agitation"]} <= asking
    assert clause["haldol"] in marked and clause["agitation"] not in marked
    numbered, asking, _ = clause_words("cooling and benzos for the agitation?")
    assert len({n for n, _ in numbered}) == 1  # "and" between two things is one question


def test_an_adverb_says_how_not_what(engine):
    # Stemmed, "basically" would be the overview's "basics" and outweigh the drug asked about.
    m = engine.matcher.match("my attending says dantrolene is basically useless in NMS - true?")
    assert m.status == "answer" and m.topic_id in ("dantrolene", "evidence")
    assert "basic" not in m.weights


def test_the_readers_own_words_are_never_corrected(engine):
    # "besides" sets the scene ("besides stopping the antipsychotic"); corrected, it was "bedside".
    reading = engine.matcher.reader.read("drug options for nms besides stopping the antipsychotic")
    assert not reading.corrections
    assert reading.content["stop"] is True  # what follows "besides" is the setting


def test_a_hedge_inside_a_scope_term_does_not_hide_it(engine):
    m = engine.matcher.match("how long does NMS usually last if untreated")
    assert (m.status, m.reason) == ("none", "out_of_scope")
    assert engine.matcher.match("how common is nms with haldol vs atypicals").status != "answer"


def test_a_finding_said_to_resist_treatment_is_what_is_asked_about(engine):
    # "temp 40.8 not budging": the temperature is what resists, so cooling is asked about, not only ECT.
    reading = engine.matcher.reader.read("temp 40.8 not budging w tylenol, pt rigid on haldol. now what")
    assert reading.content["hyperthermia"] is False
    answer = engine.ask("temp 40.8 not budging w tylenol and motrin, pt rigid on haldol. now what")
    assert "cooling" in (answer.topic.id, *(t.id for t in answer.joined))
    assert "Discontinue the causative antipsychotic" in answer.statements[0].text
    # A value in another clause stays the setting.
    assert engine.matcher.reader.read("CK 12k. nms not budging, next?").content["ck"] is True


def test_a_case_still_there_after_what_was_given_resists_treatment(engine):
    # What was given is the history ("despite bromo and dantrolene", "after 3 days of dantrolene").
    reading = engine.matcher.reader.read("still febrile despite bromo and dantrolene")
    assert reading.content["bromocriptin"] is True and reading.content["dantrolen"] is True
    assert "refractory" in reading.concepts
    # The source's answer for a lack of response to other treatments is ECT, not the drug again.
    answer = engine.ask("pt still rigid after 3 days of dantrolene, what now?")
    assert answer.topic.id == "ect"
    # Without "still", what was given is only the setting.
    assert "refractory" not in engine.matcher.reader.read("rigid after dantrolene, bromocriptine next?").concepts


def test_stopping_a_treatment_asks_how_long_to_give_it(engine):
    for question, topic in (
        ("bromocriptine and when to stop it", "bromocriptine"),
        ("when to stop dantrolene", "dantrolene"),
    ):
        answer = engine.ask(question)
        assert answer.topic.id == topic, question
        assert answer.notes[0].startswith("The source gives no doses, amounts, rates, frequencies or durations")
    # Stopping the antipsychotic is the first action, as before.
    assert engine.ask("stop haldol?").topic.id == "stop-antipsychotic"


def test_another_drug_of_the_class_the_patient_is_on_is_a_switch(engine):
    answer = engine.ask("nms 3 wks ago on haldol, psych wants abilify now - ok?")
    assert answer.topic.id == "rechallenge" and answer.carried == ("stop-antipsychotic",)
    # For the agitation, the route's answer stands: benzodiazepines, led by the stop.
    assert engine.ask("nms pt on haldol, give seroquel for agitation?").topic.id == "benzodiazepines"


def test_what_a_question_is_ok_with_is_its_setting_and_a_setting_stays_in_its_clause(engine):
    reading = engine.matcher.reader.read("lovenox 40 daily for immobile nms pt, ok with ck 20k and aki?")
    assert reading.content["anticoagul"] is False  # "40 daily" is its dose, not a finding's value
    assert reading.content["renal"] is True  # "ok with ... and AKI": the setting
    assert engine.ask("lovenox 40 daily for immobile nms pt, ok with ck 20k and aki?").topic.id == "anticoagulation"
    # "still febrile 39.8 and rigid. ECT?": the next clause's question is not the setting's.
    reading = engine.matcher.reader.read("failed bromo x5d, still febrile 39.8 and rigid. ECT?")
    assert reading.content["ect"] is False


def test_a_word_the_stemmer_merges_with_another_keeps_its_own_meaning(engine):
    # Snowball stems "medics" (doctors) like "medication".
    assert "drug" not in engine.matcher.reader.read("medics think ECT is mad here").concepts
    assert "drug" in engine.matcher.reader.read("which medication for nms").concepts


def test_a_part_the_source_does_not_cover_is_noted_beside_one_it_does(engine):
    answer = engine.ask("what's the bromocriptine dose and also what causes nms in the first place?")
    assert answer.topic.id == "bromocriptine"
    assert "The source does not cover what causes NMS: nothing here is specific to it." in answer.notes
    # Alone, or beside a question that asks the same again, it is declined.
    for question in ("what causes nms in the first place?", "what's the overall prognosis of NMS? how many die"):
        assert engine.ask(question).scope[0] == "not_covered", question


def test_scope_terms_are_met_as_written_and_read_past_hedges(engine):
    for question in (
        "how long after starting haloperidol does NMS typically appear",  # a term with its hedge
        "how long does NMS usually last if untreated",  # a hedge inside a term
    ):
        assert engine.matcher.match(question).reason == "out_of_scope", question


def test_where_the_patient_is_is_the_setting_of_a_question_about_something_else(engine):
    question = (
        "outreach: T 41.2 on third set of obs, ?NMS. what cooling should the ward be doing while we wait for ITU?"
    )
    answer = engine.ask(question)
    assert "cooling" in (answer.topic.id, *(t.id for t in answer.joined))
    assert "supportive-care" not in (answer.topic.id, *(t.id for t in answer.joined))
    assert engine.ask("does nms need ICU or can they stay on the floor").topic.id == "supportive-care"


def test_a_drug_word_after_a_class_names_the_class(engine):
    # "dopaminergic medications" is the class, not medications in general.
    assert engine.ask("Is there a role for dopaminergic medications in treating NMS?").topic.id == "bromocriptine"
    assert engine.ask("which medications for nms?").topic.id == "pharmacotherapy"


def test_continuing_a_treatment_asks_how_long_and_a_difference_is_a_comparison(engine):
    answer = engine.ask("how long do we continue bromocriptine after nms resolves")
    assert answer.topic.id == "bromocriptine" and "durations" in answer.notes[0]
    # "difference" compares; "a different class" is the rechallenge topic's.
    assert engine.ask("ryanodex vs dantrium - any dosing difference for nms").topic.id == "dantrolene"
    assert engine.ask("different antipsychotic class later after nms?").topic.id == "rechallenge"


def test_what_is_on_board_was_given(engine):
    reading = engine.matcher.reader.read("dantrolene + bromo on board, still rigid. next step?")
    assert reading.content["dantrolen"] is True and reading.content["bromocriptin"] is True


def test_two_ways_of_one_treatment_compared_ask_about_that_treatment(engine):
    question = "ICU RN - pt 39.9 w/ NMS, bair hugger on cool mode vs ice to groin/axilla, which is better"
    assert engine.ask(question).topic.id == "cooling"
    # Two treatments compared is the evidence topic's question.
    assert engine.ask("is specific tx better than symptomatic tx in severe nms").topic.id == "evidence"


def test_how_often_a_lab_is_checked_is_monitoring_even_without_nms_named(engine):
    m = engine.matcher.match("BMP/CK/UA how frequently and do they need tele")
    assert (m.status, m.topic_id, m.rule) == ("answer", "monitoring", "route: ck")
    assert engine.matcher.reader.read("does every nms pt need ICU").corrections == []  # "every" is not "fever"


def test_beyond_and_apart_from_set_the_scene(engine):
    assert engine.matcher.reader.read("rx options for nms beyond benzos?").content["benzodiazepin"] is True
    assert engine.ask("drug options for nms beyond benzos?").topic.id == "pharmacotherapy"
    question = "boss wants the NMS plan on the round. apart from stopping the drug what are the other key bits"
    assert engine.ask(question).topic.id != "pharmacotherapy"
    # "settled" is calm, not something to settle her.
    assert "agitation" not in engine.matcher.reader.read("nms 2 weeks ago, now settled").concepts


def test_before_and_w_slash_set_the_scene_and_scope_terms_read_past_numbers(engine):
    question = (
        "pt hasnt taken fluids in 2 days on our psych ward, now stiff and febrile. start IV hydration before transfer?"
    )
    assert engine.ask(question).topic.id == "fluids"
    question = "anticoagulaton in nms pt w/ rhabdo + AKI, do we renally dose the enoxaparin"
    assert engine.ask(question).topic.id == "anticoagulation"
    m = engine.matcher.match("restarting clozapine after he missed 3 days - need to re-titrate from 12.5?")
    assert m.scope == ("purposes", "restarting after missed doses")


def test_words_kept_apart_from_a_lookalike_stem_and_a_plus_after_a_number(engine):
    read = engine.matcher.reader.read
    assert "restart" not in read("is the fever managed differently in nms").concepts
    assert engine.ask("bromocryptine via NG, nms pt intubated - ok?").topic.id == "bromocriptine"
    assert engine.ask("drug resistant nms, whats left after dantrolene and bromo have failed").topic.id == "ect"
    reading = read("possible NMS after IM haldol 10 + ativan. what should the team be doing")
    assert reading.content["benzodiazepin"] is True  # given after the haldol, not asked about


def test_a_common_english_word_is_never_corrected_into_a_word_of_the_knowledge_base(engine):
    # "cross cover" had become "crossfit recov", "whether" had become "weather" (and a decline).
    q = "cross cover resident asking whether to leave the bair hugger on, nms pt"
    assert engine.matcher.reader.read(q).corrections == []
    assert engine.matcher.match(q).status != "none"
    # A real slip still is corrected.
    assert ("dantroline", "dantrolen") in engine.matcher.reader.read("dantroline for nms?").corrections


def test_what_was_already_done_is_the_case_and_the_next_step_is_the_question(engine):
    q = "post op pt got droperidol + haldol, now stiff and 40.4, cpk 11k. we stopped both. now what"
    m = engine.matcher.match(q)
    assert (m.status, m.topic_id, m.rule) == ("answer", "overview", "next")
    # Said in the question itself, stopping is what is asked about.
    assert engine.matcher.match("should we stop both antipsychotics in nms?").topic_id == "stop-antipsychotic"


def test_frequency_in_the_prescribers_notation_asks_how_often_to_check(engine):
    for q in ("BMP and CPK q6 or q12 in nms pt?", "ck q 4 hrs in nms?", "CK q12hourly?"):
        m = engine.matcher.match(q)
        assert (m.status, m.topic_id) == ("answer", "monitoring"), q


def test_aggressive_treatment_is_how_much_not_aggression(engine):
    q = "pt is burning up, 104.9F, on haldol, rigid as a board. how aggressive w/ cooling"
    m = engine.matcher.match(q)
    assert "agitation" not in m.reading.concepts
    assert (m.status, m.topic_id) == ("answer", "cooling")
    assert "agitation" in engine.matcher.reader.read("combative, aggression towards staff, on haldol").concepts


def test_a_sign_is_met_by_its_concepts_synonyms(engine):
    # "cooking" is ward slang for a high temperature; with rigidity it describes NMS.
    r = engine.matcher.reader.read("hes cooking at 41 and stiff as a board, what besides ice in the groin")
    assert r.signs == ["fever", "rigidity"] and r.subject
    m = engine.matcher.match("hes cooking at 41 and stiff as a board, what besides ice in the groin")
    assert (m.status, m.topic_id) == ("answer", "cooling")


def test_a_sign_said_to_be_absent_does_not_describe_nms(engine):
    q = "ECT for catatonic depression (no fever, CK normal) how many sessions"
    r = engine.matcher.reader.read(q)
    assert "fever" not in r.signs and not r.subject
    assert engine.matcher.match(q).status != "answer"
    assert engine.matcher.reader.read("febrile, CK 12k, rigid on haldol").subject


def test_the_next_step_is_read_past_a_softening_word(engine):
    m = engine.matcher.match("suspected NMS on the ward, what do i actually do")
    assert (m.status, m.topic_id, m.rule) == ("answer", "overview", "next")


def test_two_letters_swapped_are_read_as_the_word_meant(engine):
    r = engine.matcher.reader.read("stpo the haldol immediately?")
    assert ("stpo", "stop") in r.corrections
    assert engine.matcher.match("stpo the haldol immediately?").topic_id == "stop-antipsychotic"


def test_how_it_was_put_weighs_nothing(engine):
    # "comes", "right", "reach for first": how a question is put, not what it asks about.
    assert engine.matcher.match("bromocryptine only comes PO right? pt intubated and NPO").topic_id == "bromocriptine"
    m = engine.matcher.match("tox: bromo vs dantrolene, which do you reach for first?")
    assert (m.status, {m.topic_id, *m.joined}) == ("answer", {"bromocriptine", "dantrolene"})
    m = engine.matcher.match("daily CK + BMP enough or more often?")
    assert (m.status, m.topic_id) == ("answer", "monitoring")


def test_a_list_of_what_was_done_goes_on_past_the_verb_and_worse_after_it_is_refractory(engine):
    m = engine.matcher.match("ok did all that, stopped haldol, cooling, IVF, still getting worse - now what")
    assert "refractory" in m.reading.concepts
    assert (m.status, m.topic_id, m.joined) == ("answer", "ect", ())


def test_a_switch_between_nms_treatments_is_no_restart_of_an_antipsychotic(engine):
    r = engine.matcher.reader.read("bromocriptine made him vomit, can we switch to dantrolene")
    assert "restart" not in r.concepts
    later = engine.matcher.reader.read("can we switch to a different antipsychotic once nms resolves")
    assert "restart" in later.concepts


def test_a_misspelling_no_vocabulary_lists_is_left_to_the_speller(engine):
    r = engine.matcher.reader.read("monitoring while on tx for neuroleptic maligant")
    assert r.subject and ("maligant", "malign") in r.corrections


def test_a_raised_finding_among_the_signs_is_the_case_not_the_question(engine):
    m = engine.matcher.match("pt on quetiapine w/ fever rigidity high CK, what do we do")
    assert (m.status, m.topic_id, m.rule) == ("answer", "overview", "next")


def test_words_dictation_split_apart_are_joined_into_the_drug_they_sound_like(engine):
    for q, topic in (
        ("dance roll in for NMS - pharmacy asking to confirm the indication", "dantrolene"),
        ("broma crypt teen for nms start now or wait for psych", "bromocriptine"),
        ("farm a co logic interventions for neuroleptic malignant syndrome", "pharmacotherapy"),
    ):
        m = engine.matcher.match(q)
        assert (m.status, m.topic_id) == ("answer", topic), q
    # Ordinary words beside a lab value are not joined into a drug ("ck came down" is no "coumadine").
    r = engine.matcher.reader.read("ck came down 20k to 8k, tmax 38.2, what else should i be watching")
    assert r.corrections == []


def test_a_typo_keeps_its_first_letter(engine):
    # "leptic" had become "septic" (sepsis: declined), "enox" had become "tenox" (temazepam).
    assert engine.matcher.match("neural leptic malignant syndrome management steps please").topic_id == "overview"
    r = engine.matcher.reader.read("heparin sc or enox for VTE prophylaxis")
    assert "benzodiazepine" not in r.concepts


def test_a_drug_named_before_withdrawal_is_that_drugs_withdrawal_syndrome(engine):
    for q in ("baclofen withdrawal w/ fever and rigidity after pump failure, tx?", "xanax withdrawal, fever and rigid"):
        m = engine.matcher.match(q)
        assert (m.status, m.reason) == ("none", "out_of_scope"), q
    assert engine.matcher.match("xanax withdrawal, fever and rigid").scope[1] == "alprazolam withdrawal"
    # Withdrawing the antipsychotic is the first action.
    assert engine.matcher.match("haldol withdrawal, how fast?").topic_id == "stop-antipsychotic"


def test_how_many_die_of_nms_is_its_prognosis_and_what_lowers_mortality_its_evidence(engine):
    m = engine.matcher.match("what percent of NMS pts die")
    assert (m.status, m.reason) == ("none", "out_of_scope")
    assert engine.matcher.match("does anything lower mortality in nms").topic_id == "evidence"
    assert engine.matcher.match("how many nms pts die with supportive care alone vs dantrolene").status != "none"


def test_treatments_that_fail_are_a_case_resisting_treatment_not_an_organ_failing(engine):
    m = engine.matcher.match("ok and if dantro and bromo both fail, then what?")
    assert (m.status, m.topic_id) == ("answer", "ect")
    assert engine.matcher.match("kidneys failing in nms pt on dantrolene").topic_id == "supportive-care"


def test_every_how_many_hours_asks_how_often(engine):
    m = engine.matcher.match("CK q how many hrs in nms")
    assert (m.status, m.topic_id) == ("answer", "monitoring")


def test_what_a_duration_runs_until_is_its_setting_and_that_points_back(engine):
    q = "same pt from last week still in bed, day 10. keep the enoxaparin going until mobile?"
    m = engine.matcher.match(q)
    assert m.ranked[0][0] == "anticoagulation" and m.topic_id in (None, "anticoagulation")
    m = engine.matcher.match("heparin sq for nms, is that actually part of the tx or just routine icu stuff")
    assert m.topic_id == "anticoagulation"
    m = engine.matcher.match("can someone give me the quick checklist for managing nms on the ward tonight")
    assert (m.status, m.topic_id, m.rule) == ("answer", "overview", "next")


def test_dc_before_a_time_or_home_is_discharge_and_recovered_is_after_recovery(engine):
    r = engine.matcher.reader.read("pt recovered, d/c in 2 days. which antipsychotic do we go back on?")
    assert "stop" not in r.concepts and "after recovery" in r.concepts
    assert engine.matcher.match("d/c the haldol now?").topic_id == "stop-antipsychotic"


def test_a_temperature_written_t_and_a_value_is_the_temperature(engine):
    # "T 40.6": the single letter was dropped, leaving "get it down" about nothing.
    for q in ("T 40.6 in nms, best way to get it down?", "T 41.2 in nms, best way to bring it down"):
        m = engine.matcher.match(q)
        assert (m.status, m.topic_id) == ("answer", "cooling"), q


def test_the_medical_ward_and_who_is_asking_are_no_medication(engine):
    m = engine.matcher.match(
        "what's the general approach to a pt w/ NMS on a gen med floor vs what we'd do in the unit"
    )
    assert m.topic_id != "pharmacotherapy" and "drug" not in m.reading.concepts
    assert "drug" not in engine.matcher.reader.read("med student here - how is nms managed").concepts
    assert "drug" in engine.matcher.reader.read("any meds for nms?").concepts


def test_a_case_that_does_not_respond_resists_treatment_and_a_nickname_is_the_patient(engine):
    q = "and if she doesn't respond to any of that, what's next? (seroquel lady, day 6, still rigid and febrile)"
    m = engine.matcher.match(q)
    assert (m.status, m.topic_id) == ("answer", "ect")
    assert "refractory" in engine.matcher.reader.read("what if dantrolene didn't help").concepts


def test_capital_pt_is_physical_therapy_and_lower_case_pt_the_patient(engine):
    m = engine.matcher.match("should PT see a rigid nms pt in obs or wait")
    assert (m.status, m.topic_id) == ("answer", "supportive-care")
    assert normalise("PT/INR fine, heparin ok?").startswith("pt/inr") and normalise("PT 14.2") == "pt 14.2"
    assert normalise("PT IS RIGID, WHAT NOW") == "pt is rigid, what now"  # all capitals: no telling


def test_stopping_is_said_many_ways_and_a_next_step_after_what_was_done_names_no_topic(engine):
    m = engine.matcher.match("how important is pulling the trigger drug in NMS vs everything else")
    assert m.topic_id == "stop-antipsychotic"
    m = engine.matcher.match("stopped the olanzapine and started fluids - anything else we should be doing?")
    assert m.status == "suggest"  # not "stop the antipsychotic" again: nothing of it is asked
    m = engine.matcher.match("temp 40.6 after 1 hr on cooling blanket, what else can we do to cool")
    assert (m.status, m.topic_id) == ("answer", "cooling")
    m = engine.matcher.match("EMS brought 34F from group home, febrile + rigid, on Invega Sustenna, prob nms - orders?")
    assert (m.status, m.topic_id, m.rule) == ("answer", "overview", "next")


def test_what_an_answer_is_for_is_not_what_is_asked(engine):
    m = engine.matcher.match(
        "for the d/c summary: what do we tell the SNF about future antipsychotic use after her nms?"
    )
    assert (m.status, m.topic_id) == ("answer", "rechallenge")
    m = engine.matcher.match("can you write the d/c summary for bed 4")
    assert (m.status, m.reason) == ("none", "out_of_scope")


def test_other_rhabdomyolysis_and_an_antipsychotics_own_dose_are_declined_without_nms(engine):
    for q in ("fell on ice, down 12 hrs, CK 30k - ivf for rhabdo how much", "max haldol dose for agitation in the ED"):
        assert engine.matcher.match(q).status != "answer", q
    assert engine.matcher.match("farmacologic options nms").topic_id == "pharmacotherapy"


def test_who_someone_is_a_patient_without_nms_and_causes_asked_twice_are_declined(engine):
    for q in (
        "who's the MICU attending tonight",
        "haldol for ICU delirium in non-nms pt, QTc 480 ok?",
        "which antipsychotics cause NMS most often - is it worse with depots?",
        "Invega Sustenna loading dose schedule?",
    ):
        assert engine.matcher.match(q).status != "answer", q


def test_going_on_with_nothing_named_and_a_ward_after_the_icu_are_no_drug_questions(engine):
    assert engine.matcher.match("aspiration risk in NMS pt with dysphagia - keep NBM?").topic_id != "stop-antipsychotic"
    m = engine.matcher.match("what do we need to monitor on the ward once the nms pt steps down from MICU")
    assert (m.status, m.topic_id) == ("answer", "monitoring")
    m = engine.matcher.match("the LBD pt is agitated again weeks after his NMS settled - can we try quetiapine again?")
    assert (m.status, m.topic_id) == ("answer", "rechallenge")


def test_how_nms_is_treated_wherever_the_patient_is_gets_the_overview(engine):
    m = engine.matcher.match("What is the overall management approach for neuroleptic malignant syndrome in the ICU?")
    assert (m.status, m.topic_id, m.rule) == ("answer", "overview", "general")
    assert engine.matcher.match("rx options for nms beyond benzos?").topic_id != "overview"


def test_the_chart_read_back_and_what_was_done_before_a_short_question(engine):
    cases = [
        ("family asking why we stopped his geodon, how do i explain that to them re nms tx", "stop-antipsychotic"),
        ("heparin 5000 sq q8h ok w/ nms, CK 30k, plt 90?", "anticoagulation"),  # the q8h is the heparin's
        ("enoxaprin in immobile nms pt, Cr 2.8, dose?", "anticoagulation"),  # the dose is not the Cr's
        ("is it safe to ever give this guy haldol again", "rechallenge"),
        ("bed 14 is the nms rule-out, mar still has haldol 5mg IM q6h prn agitation. ok to give?", "benzodiazepines"),
        ("pt on 2nd day of haldol for post-op delirium, now rigid, T 39.8, CK 9000, what to do", "overview"),
    ]
    for q, topic in cases:
        m = engine.matcher.match(q)
        assert (m.status, m.topic_id) == ("answer", topic), q
    # "ok so" tells what was done; it does not ask it
    assert engine.matcher.match("ok so we've stopped the olanzapine and started cooling, what next").status == "suggest"
    for q in ("what's the mortality of nms these days", "nms ruled out, ok to restart haldol?"):
        assert engine.matcher.match(q).status == "none", q


def test_a_sign_out_telling_what_happened_and_what_an_answer_is_asked_about(engine):
    sign_out = (
        "sign-out from days: 35M s/p IM haldol in ED for agitation, now day 3 MICU for nms. CK peaked 80k now 30k,"
        " afebrile on cooling blanket, still mildly rigid. plan wean cooling, IVF 200/h, hep sq. anything im missing?"
    )
    assert engine.matcher.match(sign_out).topic_id != "benzodiazepines"  # the agitation was the ED's, days ago
    r = engine.matcher.reader.read("ok haldol d/c'd and fluids running. next step?")
    assert r.asking == {1} and r.content["stop"], "what was done is told, not asked"


def test_whether_a_treatment_works_compared_or_summarised(engine):
    m = engine.matcher.match("Do dopamine agonists help in NMS?")
    assert m.status == "answer" and {m.topic_id, *m.joined} >= {"evidence", "bromocriptine"}
    m = engine.matcher.match("does supportive care alone do as well as drugs in nms? mild case on our service")
    assert (m.status, m.topic_id) == ("answer", "evidence")
    assert engine.matcher.match("pharmacologic tx of nms overview?").topic_id == "pharmacotherapy"
    m = engine.matcher.match("Could you summarise the overall approach to managing NMS in a medical inpatient?")
    assert (m.status, m.topic_id) == ("answer", "overview")  # "medical" is no medication


def test_another_condition_of_an_nms_patient_is_declined_and_its_prevention_is_not(engine):
    for q in (
        "heparin gtt nomogram for PE in a pt w/ remote hx of nms",
        "nms pt also in new afib rvr, start heparin gtt for the afib?",
    ):
        assert engine.matcher.match(q).status == "none", q
    assert engine.matcher.match("PE risk in NMS, should we be on ppx").topic_id == "anticoagulation"


def test_how_often_nms_comes_back_is_its_course_and_the_drug_to_stop_is_no_duration(engine):
    assert engine.matcher.match("how often does nms recur when antipsychotics are restarted").status == "none"
    r = engine.matcher.reader.read("which drug do we stop first in nms")
    assert "stop" in r.concepts and not r.dose  # stopping the drug, not how long to give one


@pytest.mark.parametrize(
    "question, topic",
    [
        ("which antipsychotic gets stopped first in nms", "stop-antipsychotic"),  # orders the stopping
        ("what do we do first in nms", "overview"),  # alone, "first" asks for the first steps
    ],
)
def test_first_after_an_action_orders_it_and_alone_asks_for_the_first_steps(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_how_high_a_setting_finding_is_and_a_kind_of_drug_the_topics_lack_are_not_asked_about(engine):
    reading = engine.matcher.reader.read("is ice ok w/ CK that high in nms")
    assert reading.content["elev"] is True  # "CK that high": the setting's value
    # "anaesthesia meds": not the medications topic's drugs
    assert engine.matcher.match("which anaesthesia meds for ect in nms").topic_id == "ect"
    assert engine.matcher.match("which meds for nms").topic_id == "pharmacotherapy"


@pytest.mark.parametrize(
    "question, topic",
    [
        # going on with, or up on, a drug told as given asks about that drug, not resistance to it
        ("on dantrolene since yesterday for nms, no better, go up?", "dantrolene"),
        ("gave bromocriptine for nms two days ago, not helping, bump up?", "bromocriptine"),
        # stopping a lab's checks is how often it is checked
        ("ck down to 5k in nms, when can we stop checking cks", "monitoring"),
        # "h/o NMS" is a history of it: an antipsychotic now is a restart
        ("pt w/ h/o nms, now psychotic again, which antipsychotic can psych restart", "rechallenge"),
        # how the patient came ("a consult for possible NMS") is the patient, not what is asked
        ("consult for possible nms on the ward - what's the general treatment", "overview"),
    ],
)
def test_what_was_given_a_lab_stopped_a_history_and_an_encounter_read_as_the_case(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_a_patient_said_not_to_have_nms_is_declined(engine):
    reading = engine.matcher.reader.read("quetiapine dose for delirium, not worried about nms")
    assert reading.scope == ("not_covered", "a patient without NMS")


@pytest.mark.parametrize(
    "question, topic",
    [
        ("pt admitted yesterday with nms, overall management?", "overview"),  # the admission has happened
        ("lithium clinic nurse here, how is nms treated in general", "overview"),  # who asks
        # the drug to stop, named only after the question in a clause that asks nothing
        ("bromocriptine in nms, keep going? she had it with the haldol", "bromocriptine"),
    ],
)
def test_who_asks_how_the_patient_came_and_what_came_after_the_question_are_not_asked(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, scope",
    [
        ("does nms run in families?", ("not_covered", "NMS risk factors")),
        ("pt missed her levodopa for 2 days, now rigid, restart it?", ("conditions", "missed levodopa")),
    ],
)
def test_heredity_and_a_missed_dopaminergic_whoever_it_belongs_to_are_out_of_scope(engine, question, scope):
    assert engine.matcher.reader.read(question).scope == scope


@pytest.mark.parametrize(
    "question, topic",
    [
        ("should we put her on a cooling blanket? T 39.2", "cooling"),  # "put on" asks; "on" is no setting
        ("breathing ok now, can we space out the lorazepam?", "benzodiazepines"),  # how often: a dose word
    ],
)
def test_what_a_patient_is_put_on_and_spacing_out_a_drug_are_asked_about(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_spacing_out_a_drug_is_a_dose_question_whose_answer_says_the_source_gives_no_doses(engine):
    answer = engine.ask("breathing ok now, can we space out the lorazepam?")
    assert "gives no doses" in " ".join(answer.notes)


def test_how_high_something_the_topics_lack_is_not_a_raised_ck(engine):
    m = engine.matcher.match("pt has high fall risk and nms, pls advise")
    assert m.status != "answer" or m.topic_id != "fluids"
    assert "elev" not in engine.matcher.reader.read("pt has high fall risk and nms, pls advise").content


@pytest.mark.parametrize(
    "question, scope",
    [
        ("restart his home olanzapine for sleep, no nms here?", ("not_covered", "a patient without NMS")),
        ("NMS can happen with depot injections?", ("not_covered", "what causes NMS")),
        ("apixaban for af in a pt on haldol?", ("conditions", "af")),
    ],
)
def test_a_patient_without_nms_its_causes_and_af_are_declined_whatever_is_asked_beside(engine, question, scope):
    assert engine.matcher.reader.read(question).scope == scope


@pytest.mark.parametrize(
    "question, topic",
    [
        # generics of the classes' own ATC groups, read through the dictionary's brands and names
        ("Fraxiparine for a bedbound nms pt?", "anticoagulation"),
        ("zuclopenthixol depot and nms, stop it?", "stop-antipsychotic"),
        # breathing support is respiratory care; a contraction typed without its apostrophe is filler
        ("pt w/ nms getting worse, does he need bipap?", "supportive-care"),
        ("can we give something that isnt an antipsychotic for the agitation in nms", "benzodiazepines"),
    ],
)
def test_drugs_of_the_classes_breathing_support_and_contractions_are_read(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, topic",
    [
        ("how is nms treated in a care home resident?", "overview"),  # where the patient lives
        ("nms pt with a dnr order, what can we still do for supportive care?", "supportive-care"),  # no fluids
        ("should we check the ck every day in nms?", "monitoring"),  # "every day" is how often
        ("parkinsons pt given haldol, now nms - would a dopamine drug help?", "bromocriptine"),
        ("once diagnosed, what are the main parts of nms treatment?", "overview"),  # not a diagnosis question
        # the drug "that caused it" is the drug to stop, not a question about causes
        ("we stopped the med that caused it, what next for nms?", "overview"),
        (
            "can we restart olanzapine now that she's over the nms, instead of the haloperidol that caused it?",
            "rechallenge",
        ),
    ],
)
def test_where_the_patient_lives_limits_of_care_and_what_caused_it_are_the_case(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, scope",
    [
        ("what's the outlook after nms?", ("not_covered", "how NMS runs its course")),
        ("glycopyrrolate for hypersalivation on clozapine?", ("purposes", "drooling from clozapine")),
    ],
)
def test_the_outlook_and_clozapine_drooling_are_out_of_scope(engine, question, scope):
    assert engine.matcher.reader.read(question).scope == scope


@pytest.mark.parametrize(
    "question, topics",
    [
        ("what do we do first, cooling or fluids? T 40.6", ("cooling", "fluids")),  # "first" picks one
        ("quick summary of nms tx pls, med reg on the way", ("overview",)),  # the registrar is no medication
        ("pt had acuphase yesterday, now rigid and febrile, give the next dose?", ("stop-antipsychotic",)),
        ("in nms can we keep the lorazepam and drop the haldol?", ("stop-antipsychotic",)),  # "drop" stops
        ("what to chart for the nms pt overnight?", ("monitoring",)),
    ],
)
def test_a_choice_a_registrar_a_depot_brand_dropping_a_drug_and_charting(engine, question, topics):
    m = engine.matcher.match(question)
    assert (m.status, (m.topic_id, *m.joined)) == ("answer", topics)


def test_another_condition_set_against_nms_beside_its_drug_is_noted_and_alone_declined(engine):
    answer = engine.ask("is dantrolene used in nms or only in malignant hyperthermia?")
    assert answer.topic.id == "dantrolene"
    assert any("does not cover malignant hyperthermia" in n for n in answer.notes)
    assert engine.matcher.reader.read("dantrolene for malignant hyperthermia dose").scope == (
        "conditions",
        "malignant hyperthermia",
    )


@pytest.mark.parametrize(
    "question, topic",
    [
        ("so nms is just stop the drug and support them, fair summary?", "stop-antipsychotic"),  # the drug to stop
        ("bromocriptine is a drug for nms right?", "bromocriptine"),  # what the drug named is
        ("which numbers do we follow in nms?", "monitoring"),
        # a sign asked about after the scene: the signs told before it do not make it the setting
        ("febrile and rigid after haldol yesterday. what do we do about the heat?", "cooling"),
    ],
)
def test_the_drug_stopped_what_a_drug_is_numbers_followed_and_a_sign_asked(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, topic",
    [
        ("sqh for a bedbound nms pt, ok?", "anticoagulation"),  # subcutaneous heparin
        # "real" says how sure, not which drug; drugs set against supportive care ask what the
        # treatment mainly is: the overview, whose first line is "primarily supportive care"
        ("nms overall - mostly supportive care or is there a real antidote?", "overview"),
    ],
)
def test_heparin_abbreviated_and_a_real_antidote(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, topic",
    [
        # going up on a benzodiazepine, with the antipsychotic only the scene, asks about the benzodiazepine
        ("nms after haldol last week, lorazepam 1mg prn not cutting it, ok to go up?", "benzodiazepines"),
        ("urine looks like coke in an nms pt, what now?", "fluids"),  # myoglobinuria
    ],
)
def test_going_up_on_a_benzo_after_the_antipsychotic_and_urine_like_coke(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_aspiration_is_a_complication_the_source_does_not_name_and_no_treatment_kept(engine):
    answer = engine.ask("aspiration risk in NMS pt with dysphagia - keep NBM?")
    assert answer.topic.id == "supportive-care"
    assert any("does not mention aspiration" in n for n in answer.notes)
    assert not any("gives no doses" in n for n in answer.notes)  # keeping NBM is no drug's duration


@pytest.mark.parametrize(
    "question, topic",
    [
        ("agitated, CK 12k, nms top of the ddx - ok to give ativan?", "benzodiazepines"),  # a diagnosis made
        ("what do we follow daily for nms recovery", "monitoring"),  # not restarting after recovery
        ("pt cant swallow, ngt in situ, bromocriptine ok?", "bromocriptine"),  # the route, not the question
    ],
)
def test_a_working_diagnosis_following_recovery_and_a_route_in_situ(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_telling_nms_from_a_look_alike_is_a_diagnosis_question(engine):
    assert engine.matcher.reader.read("which labs tell nms from catatonia").scope == ("not_covered", "diagnosing NMS")


@pytest.mark.parametrize(
    "question, topics",
    [
        ("cooling components for nms?", ("cooling",)),  # the components of one part: that part
        ("is nms treatment supportive, or is there a genuine antidote?", ("overview",)),
        ("icu bed for T 38.6, CK 4k and stable obs, really?", ("supportive-care",)),  # the obs are the scene
    ],
)
def test_components_of_a_part_a_genuine_antidote_and_stable_obs_listed(engine, question, topics):
    m = engine.matcher.match(question)
    assert (m.status, (m.topic_id, *m.joined)) == ("answer", topics)


def test_nms_settling_is_getting_better_not_settling_an_agitated_patient(engine):
    assert engine.matcher.match("what do we follow to know the nms is settling").topic_id == "monitoring"
    assert "agitation" not in engine.matcher.reader.read("the nms is settling, what next").concepts


@pytest.mark.parametrize(
    "question, topic",
    [
        ("what are the main parts of nms treatment for a new icu admit", "overview"),  # parts: a summary
        ("dvt ppx for an nms pt: lmwh or mechanical only?", "anticoagulation"),  # a device, no mechanism
        ("nms - stop all antipsychotics or only the one that caused it?", "stop-antipsychotic"),  # no cause asked
        ("any point to DA agonists in nms", "bromocriptine"),  # DA: dopamine
    ],
)
def test_parts_of_treatment_mechanical_prophylaxis_the_one_that_caused_it_and_da(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, topic",
    [
        ("nms pt, spo2 of 86% on 6L, what now?", "supportive-care"),  # a low saturation is hypoxia
        ("enox 40 ok in nms, CK 20k?", "anticoagulation"),  # a clipped drug name; its number is its dose
        ("registrar thinks no drug makes a difference in nms - true?", "evidence"),  # outcomes, not a comparison
    ],
)
def test_low_saturation_clipped_drug_with_its_dose_and_making_a_difference(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_normal_saturation_is_only_a_vital_sign(engine):
    assert "respiratory" not in engine.matcher.reader.read("nms pt, sats 97% on air, what now").concepts


def test_an_inflammation_the_lists_lack_is_another_condition(engine):
    m = engine.matcher.match("iv fluids for dehydration in pancreatitis")
    assert (m.status != "answer", m.reason, m.scope) == (True, "out_of_scope", ("other_conditions", "pancreatitis"))
    # beside NMS it is noted, and the NMS question answered
    assert engine.matcher.match("nms pt who also has pancreatitis, iv fluids rate?").topic_id == "fluids"


@pytest.mark.parametrize(
    "question, topics",
    [
        ("quick rundown of what to do for haldol induced nms", ("overview",)),  # the drug that caused it
        ("nms: does supportive care do just as well as the drugs?", ("evidence",)),
        ("nms, HR 120 and dry - fluids first?", ("fluids",)),  # whether that measure comes first
        ("lmwh for an nms pt who is mobilising now - still needed?", ("anticoagulation",)),  # the patient's state
        ("nms pt bedbound - are the leg squeezers enough?", ("anticoagulation",)),  # mechanical prophylaxis
    ],
)
def test_drug_induced_nms_as_well_as_first_mobilising_and_devices(engine, question, topics):
    m = engine.matcher.match(question)
    assert (m.status, (m.topic_id, *m.joined)) == ("answer", topics)


@pytest.mark.parametrize(
    "question, scope",
    [
        ("lorazepam dose for an intoxicated agitated man in ED", ("other_conditions", "intoxicated")),
        ("how long does recovery from nms take?", ("not_covered", "how NMS runs its course")),
        ("nms - how long is the recovery usually?", ("not_covered", "how NMS runs its course")),
    ],
)
def test_intoxication_and_how_long_recovery_takes_are_not_nms_treatment(engine, question, scope):
    m = engine.matcher.match(question)
    assert (m.status != "answer", m.scope) == (True, scope)


def test_recovery_time_with_a_treatment_named_is_the_evidence(engine):
    assert engine.matcher.match("does dantrolene shorten recovery time in nms?").topic_id == "evidence"


def test_start_a_drug_or_only_if_supportive_care_fails_asks_about_the_drug(engine):
    m = engine.matcher.match("start bromocriptine now in nms, or only if supportive care fails?")
    assert (m.status, m.topic_id) == ("answer", "bromocriptine")
    # what failed, told as the case, is still a case resisting treatment
    assert engine.matcher.match("if dantrolene and bromocriptine both fail in nms, what next?").topic_id == "ect"


@pytest.mark.parametrize(
    "question, topic",
    [
        ("nms on the ward, where do i start?", "overview"),  # the first steps asked
        ("temp 40.9 despite paracetamol x3, what else", "cooling"),  # "x3": how many times
    ],
)
def test_where_to_start_and_a_count_of_doses(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


def test_whether_nms_is_more_likely_asks_its_risk_factors(engine):
    assert engine.matcher.match("is nms more likely with depots than oral?").scope == (
        "not_covered",
        "NMS risk factors",
    )


@pytest.mark.parametrize(
    "question, topic",
    [
        # "remains rigid" after what was given: a case resisting treatment
        ("nms pt remains rigid and febrile despite dantrolene and bromocriptine - what now?", "ect"),
        ("do drugs help more in severe nms than in mild?", "evidence"),  # an outcome by severity
        ("which drug acting directly on skeletal muscle is used in nms?", "dantrolene"),  # ATC M03C
    ],
)
def test_remaining_rigid_helping_more_and_a_drug_by_its_class(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, scope",
    [
        ("how long does an episode of nms last?", ("not_covered", "how NMS runs its course")),
        ("restart quetiapine after delirium settled? never had nms", ("not_covered", "a patient without NMS")),
        ("restarting the depot after an admission for nonadherence", ("other_conditions", "nonadherence")),
        ("CK 900 after an IM injection, is that significant?", ("not_covered", "diagnosing NMS")),
    ],
)
def test_how_long_nms_lasts_never_nms_nonadherence_and_a_lab_interpreted(engine, question, scope):
    m = engine.matcher.match(question)
    assert (m.status != "answer", m.scope) == (True, scope)


@pytest.mark.parametrize(
    "question, topic",
    [
        ("risk of PE in a bedbound nms pt - what do we do?", "anticoagulation"),  # a pulmonary embolism
        ("nms pt, what now? the alarms wont stop", "overview"),  # not a treatment stopped
        ("severe nms failing everything, what now?", "ect"),  # every treatment tried, none named
        ("enoxaparin dose in nms with AKI, eGFR 30?", "anticoagulation"),  # what the dose is for: the scene
        ("is nms treated mostly with drugs or mostly supportive?", "overview"),  # what it mainly is
    ],
)
def test_pe_alarms_that_wont_stop_failing_everything_dosing_in_aki_and_drugs_or_support(engine, question, topic):
    m = engine.matcher.match(question)
    assert (m.status, m.topic_id) == ("answer", topic)


@pytest.mark.parametrize(
    "question, scope",
    [
        ("abx choice for aspiration pneumonia in a dysphagic pt", ("other_conditions", "abx")),
        ("any data on prone restraint deaths in the ED", ("purposes", "sedating an agitated patient in the ED")),
    ],
)
def test_antibiotics_and_restraint_are_not_nms_treatment(engine, question, scope):
    m = engine.matcher.match(question)
    assert (m.status != "answer", m.scope) == (True, scope)


def test_resus_alone_is_the_room_and_who_got_a_drug_is_the_patient(engine):
    assert "fluids" not in engine.matcher.reader.read("resus checklist for nms").concepts
    reading = engine.matcher.reader.read("how to manage nms in a man who got haldol for agitation?")
    assert reading.content[next(iter(engine.matcher.reader.situations.stems_of("agitation")))] is True


def test_why_a_finding_is_there_asks_its_cause_and_a_bay_is_where_the_patient_is(engine):
    assert engine.matcher.match("ck high why").scope == ("not_covered", "what causes NMS")
    assert engine.matcher.match("why is the ck still rising despite fluids in nms?").status == "answer"
    assert "bay" in engine.matcher.reader.read("lady in bay 3 with nms, more haldol?").context


@pytest.mark.parametrize(
    "question, topics",
    [
        ("dry, not eaten or drunk for 2 days, nms on olanzapine - iv fluids first?", ("fluids",)),
        ("icu asking for a view on dantrolene, nms, T 41, CK 80k", ("dantrolene",)),  # about, not on it
        ("enoxaparin 40 daily with AKI in nms - adjust?", ("anticoagulation",)),  # a dose adjusted
    ],
)
def test_first_past_another_choice_a_view_on_a_drug_and_a_dose_adjusted(engine, question, topics):
    m = engine.matcher.match(question)
    assert (m.status, (m.topic_id, *m.joined)[:1]) == ("answer", topics)


def test_specifics_asks_details_not_a_specific_drug(engine):
    m = engine.matcher.match("cooling + fluids for nms - specifics?")
    assert "pharmacotherapy" not in (m.topic_id, *m.joined)
