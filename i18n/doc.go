// Package i18n is the one message catalogue of the product: every text a
// person reads that is not data (menus, labels, messages, errors, unit
// types, roles, assessment states, the public survey form) is a key with a
// text in each language, kept in the message files locales/<language>.yaml
// (embedded), which a translator edits without touching Go. Vietnamese
// (vi.yaml) is the default and holds every key; a message shown with a
// count has plural forms, chosen by the language's CLDR rule (T for plain
// messages, N for counted ones). Loading and plural rules are
// github.com/nicksnyder/go-i18n; texts use fmt verbs for their arguments.
//
// Names that are data (survey elements and questions in an instrument,
// metrics in the metric catalogue, frameworks and their areas) are never
// copied here: pages show the data's own name.
//
// It imports go-i18n, YAML and x/text, never another package of this module.
package i18n
