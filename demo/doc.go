// Package demo seeds a database with a fictional province, "tỉnh Minh Giang",
// shaped like a real one after the 1 July 2025 reform: about twenty
// departments, sixty communes and wards, a one-stop centre, and two former
// districts with their old communes kept as history, linked to the communes
// that succeeded them. It runs two years of the PAR index cycle, 2025 and
// 2026: frameworks (2026 copied from 2025, so changes show), one-stop-shop
// and self-reported figures, citizens' answers, self-assessments taken
// through appraisal by the store's workflow, and a published scoring run of
// each year. Every figure of a unit in a year comes from its standing that
// year (standing.go), drawn from dice seeded by the unit's code, so the demo
// is the same on every machine. Seeding is idempotent: running it again
// changes nothing.
//
// Citizens rate on the working days of the integrity policy (its office
// days less its holidays) in office hours, so the integrity report finds
// the demo's counters credible, but for four planted in 2026 (survey.go):
// ClerkCounter (P008 Quầy 2), where a clerk taps 120 five-star forms on
// her own phone after closing, BurstCounter (X013 Quầy 1), 40 five-star
// forms in three minutes, and FriendsCounter (X021), whose friends'
// forms reach about 180 % of its records resolved, are doubtful;
// FiveStarCounter (X041 Quầy 1), whose clerk asks every citizen for five
// stars, asks for a check. Their 2025 answers are honest.
//
// It may import store, survey, snapshot, criteria, integrity (for its
// default policy) and the root domain package; never web or the command
// line.
package demo
