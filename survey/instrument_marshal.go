package survey

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// Output mirrors of the model: their field order is the canonical key order.
type (
	textOut struct {
		VI string `yaml:"vi"`
		EN string `yaml:"en,omitempty"`
	}
	instrumentOut struct {
		Code          string          `yaml:"code"`
		Name          textOut         `yaml:"name"`
		Year          int             `yaml:"year"`
		Scale         []scaleLevelOut `yaml:"scale"`
		NotApplicable *labelOut       `yaml:"not_applicable,omitempty"`
		Elements      []elementOut    `yaml:"elements"`
		Profile       []profileOut    `yaml:"profile,omitempty"`
		Comment       *commentOut     `yaml:"comment,omitempty"`
		Aggregation   aggregationOut  `yaml:"aggregation"`
	}
	scaleLevelOut struct {
		Value int     `yaml:"value"`
		Label textOut `yaml:"label"`
	}
	labelOut struct {
		Label textOut `yaml:"label"`
	}
	elementOut struct {
		Code        string        `yaml:"code"`
		Name        textOut       `yaml:"name"`
		Description *textOut      `yaml:"description,omitempty"`
		Questions   []questionOut `yaml:"questions"`
	}
	questionOut struct {
		Code string  `yaml:"code"`
		Text textOut `yaml:"text"`
	}
	profileOut struct {
		Code    string      `yaml:"code"`
		Text    textOut     `yaml:"text"`
		Choices []choiceOut `yaml:"choices"`
	}
	choiceOut struct {
		Code  string  `yaml:"code"`
		Label textOut `yaml:"label"`
	}
	commentOut struct {
		Label     textOut `yaml:"label"`
		MaxLength int     `yaml:"max_length"`
	}
	aggregationOut struct {
		Question string `yaml:"question"`
		Element  string `yaml:"element"`
		Overall  string `yaml:"overall"`
	}
)

// MarshalInstrument writes the canonical YAML of a valid instrument: keys in
// the documented order, texts always as {vi, en} mappings, max_length
// spelled out, no comments. Reading it back gives an equal Instrument and
// writing that again gives the same bytes.
func MarshalInstrument(in *Instrument) ([]byte, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return canonicalYAML(in), nil
}

func canonicalYAML(in *Instrument) []byte {
	out := instrumentOut{
		Code:        in.Code,
		Name:        textOf(in.Name),
		Year:        in.Year,
		Scale:       []scaleLevelOut{},
		Elements:    []elementOut{},
		Aggregation: aggregationOut{string(in.Aggregation.Question), string(in.Aggregation.Element), string(in.Aggregation.Overall)},
	}
	for _, level := range in.Scale {
		out.Scale = append(out.Scale, scaleLevelOut{level.Value, textOf(level.Label)})
	}
	if in.NotApplicable != nil {
		out.NotApplicable = &labelOut{textOf(in.NotApplicable.Label)}
	}
	for _, element := range in.Elements {
		e := elementOut{Code: element.Code, Name: textOf(element.Name), Questions: []questionOut{}}
		if element.Description != (Text{}) {
			description := textOf(element.Description)
			e.Description = &description
		}
		for _, question := range element.Questions {
			e.Questions = append(e.Questions, questionOut{question.Code, textOf(question.Text)})
		}
		out.Elements = append(out.Elements, e)
	}
	for _, question := range in.Profile {
		p := profileOut{Code: question.Code, Text: textOf(question.Text), Choices: []choiceOut{}}
		for _, choice := range question.Choices {
			p.Choices = append(p.Choices, choiceOut{choice.Code, textOf(choice.Label)})
		}
		out.Profile = append(out.Profile, p)
	}
	if in.Comment != nil {
		out.Comment = &commentOut{textOf(in.Comment.Label), in.Comment.MaxLength}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	// Encoding plain structs of strings and ints into a buffer cannot fail.
	_ = enc.Encode(out)
	_ = enc.Close()
	return b.Bytes()
}

func textOf(t Text) textOut { return textOut(t) }
