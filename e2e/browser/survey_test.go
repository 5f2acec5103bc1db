package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"parindex"
	"parindex/i18n"
	"parindex/store"
)

// surveyLink picks an active demo QR link.
func surveyLink(t *testing.T, db *store.DB) *parindex.SurveyLink {
	t.Helper()
	links, err := db.FindLinks(context.Background(), store.LinkFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.Active(time.Now()) {
			return l
		}
	}
	t.Fatal("the demo has no active survey link")
	return nil
}

func countResponses(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM responses`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// storedResponse is the newest response row.
type storedResponse struct {
	UnitID, LinkID int64
	Answers        string
	Profile        string
}

func newestResponse(t *testing.T, db *store.DB) storedResponse {
	t.Helper()
	var r storedResponse
	err := db.SQL().QueryRow(`SELECT org_unit_id, link_id, answers, profile FROM responses ORDER BY id DESC LIMIT 1`).
		Scan(&r.UnitID, &r.LinkID, &r.Answers, &r.Profile)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// questionCodes reads the questions of the form in page order from the DOM
// (no page script needed, so it works with JavaScript disabled too).
func questionCodes(t *testing.T, ctx context.Context) []string {
	t.Helper()
	nodes := run(t, ctx, "find the questions", chromedp.Nodes(chromedp.CSSAll(`form fieldset[id^="q-"]`)))
	var codes []string
	for _, n := range nodes {
		codes = append(codes, strings.TrimPrefix(n.AttributeValue("id"), "q-"))
	}
	if len(codes) == 0 {
		t.Fatal("the form shows no question")
	}
	return codes
}

// answerFor is the level the tests choose for the i-th question: spread over
// the whole scale, so that a mix-up of questions shows in the stored answers.
func answerFor(i int) int { return 1 + (i*2)%5 }

// radio is the option of a question with the given value.
func radio(code string, value int) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`input[type=radio][name=%q][value="%d"]`, code, value))
}

// answer presses one option per question, skipping the question skip, by
// touch (tap) on a phone or with the mouse, and returns the digits the
// stored response must hold for the answered questions, in form order.
func answer(t *testing.T, ctx context.Context, codes []string, skip string, touch bool) string {
	t.Helper()
	var want strings.Builder
	for i, code := range codes {
		if code == skip {
			want.WriteByte('-')
			continue
		}
		v := answerFor(i)
		press := chromedp.Click(radio(code, v))
		if touch {
			press = chromedp.Tap(radio(code, v))
		}
		do(t, ctx, "answer "+code, press)
		fmt.Fprintf(&want, "%d", v)
	}
	// Every press took: each chosen option, and only it, is checked.
	for i, code := range codes {
		if code == skip {
			continue
		}
		checked := run(t, ctx, "checked options of "+code,
			chromedp.Nodes(chromedp.CSSAll(fmt.Sprintf(`input[type=radio][name=%q]:checked`, code)), chromedp.AtLeast(0)))
		if len(checked) != 1 || checked[0].AttributeValue("value") != fmt.Sprint(answerFor(i)) {
			t.Fatalf("question %s: %d options checked after pressing %d", code, len(checked), answerFor(i))
		}
	}
	return want.String()
}

// citizenSubmits is the whole path of a citizen: open the QR link on a
// phone, answer every question, send, get the thanks, and find the answers
// stored as pressed.
func citizenSubmits(t *testing.T, javascript bool) {
	srv, ctx := setup(t)
	link := surveyLink(t, srv.DB)
	do(t, ctx, "emulate a 390×844 phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	if !javascript {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	before := countResponses(t, srv.DB)

	navigate(t, ctx, srv.URL+"/s/"+link.Token, 200)
	if got := eval[float64](t, ctx, `window.innerWidth`); got != 390 {
		t.Errorf("viewport width = %v, want 390", got)
	}
	// The form fits the phone: nothing wider than the screen.
	if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the form is %vpx wide on a 390px phone (horizontal scrolling)", w)
	}
	// The page parses <noscript> content as elements only when scripting is
	// off for the document: proof that the emulation took.
	if got := eval[bool](t, ctx, scriptingProbe); got != javascript {
		t.Fatalf("page scripting on = %v, want %v", got, javascript)
	}
	unit := run(t, ctx, "unit name", chromedp.Text(chromedp.CSS(`p.unit`)))
	if !strings.Contains(unit, link.UnitName) {
		t.Errorf("the form names %q, want the link's unit %q", unit, link.UnitName)
	}
	codes := questionCodes(t, ctx)
	want := answer(t, ctx, codes, "", true)

	submit(t, ctx, "send the form", chromedp.Tap(chromedp.CSS(`form button[type=submit]`)), 200)
	title := run(t, ctx, "thanks title", chromedp.Text(chromedp.CSS(`h1`)))
	if title != i18n.T("vi", "form.thanks") {
		t.Fatalf("after sending: heading %q, want the thanks %q", title, i18n.T("vi", "form.thanks"))
	}
	if javascript {
		checkAccessibility(t, ctx, "thank-you page")
	}

	if after := countResponses(t, srv.DB); after != before+1 {
		t.Fatalf("responses: %d before, %d after one submission", before, after)
	}
	got := newestResponse(t, srv.DB)
	if got.UnitID != link.UnitID || got.LinkID != link.ID {
		t.Errorf("stored for unit %d link %d, want unit %d link %d", got.UnitID, got.LinkID, link.UnitID, link.ID)
	}
	if got.Answers != want {
		t.Errorf("stored answers %q, pressed %q (questions %v)", got.Answers, want, codes)
	}
}

func TestCitizenAnswersOnPhone(t *testing.T) { citizenSubmits(t, true) }

func TestCitizenAnswersWithoutJavaScript(t *testing.T) { citizenSubmits(t, false) }

// TestUnansweredQuestion: the server answers a form with a missing answer
// with the error summary at the top, linking to the question, and every
// other answer still chosen.
func TestUnansweredQuestion(t *testing.T) {
	srv, ctx := setup(t)
	link := surveyLink(t, srv.DB)
	navigate(t, ctx, srv.URL+"/s/"+link.Token, 200)
	checkAccessibility(t, ctx, "survey form")

	codes := questionCodes(t, ctx)
	skip := codes[len(codes)/2]
	answer(t, ctx, codes, skip, false)
	before := countResponses(t, srv.DB)
	submit(t, ctx, "send with a question unanswered", chromedp.Click(chromedp.CSS(`form button[type=submit]`)), 422)

	// The summary comes first in the page's main content, before the form.
	first := eval[string](t, ctx, `(function(){
		const s = document.getElementById('errors');
		if (!s) return 'no summary';
		const f = document.querySelector('form');
		return (s.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING) ? 'before form' : 'after form';
	})()`)
	if first != "before form" {
		t.Fatalf("error summary: %s", first)
	}
	if role := eval[string](t, ctx, `document.getElementById('errors').getAttribute('role')`); role != "alert" {
		t.Errorf("error summary role %q, want alert", role)
	}
	links := run(t, ctx, "summary links", chromedp.Nodes(chromedp.CSSAll(`#errors a`)))
	if len(links) != 1 || links[0].AttributeValue("href") != "#q-"+skip {
		var hrefs []string
		for _, l := range links {
			hrefs = append(hrefs, l.AttributeValue("href"))
		}
		t.Fatalf("summary links %v, want only #q-%s", hrefs, skip)
	}
	text := run(t, ctx, "summary text", chromedp.Text(chromedp.CSS(`#errors a`)))
	if !strings.Contains(text, skip) {
		t.Errorf("summary %q does not name question %s", text, skip)
	}
	// The link leads to the question (the fieldset the anchor names).
	do(t, ctx, "follow the summary link", chromedp.Click(chromedp.CSS(`#errors a`)))
	if hash := eval[string](t, ctx, `location.hash`); hash != "#q-"+skip {
		t.Errorf("after the summary link, location.hash = %q", hash)
	}
	// Every other answer is kept.
	for i, code := range codes {
		checked := run(t, ctx, "checked options of "+code,
			chromedp.Nodes(chromedp.CSSAll(fmt.Sprintf(`input[type=radio][name=%q]:checked`, code)), chromedp.AtLeast(0)))
		switch {
		case code == skip && len(checked) != 0:
			t.Errorf("unanswered question %s shows an answer", code)
		case code != skip && (len(checked) != 1 || checked[0].AttributeValue("value") != fmt.Sprint(answerFor(i))):
			t.Errorf("question %s lost its answer %d", code, answerFor(i))
		}
	}
	checkAccessibility(t, ctx, "survey form with errors")
	if after := countResponses(t, srv.DB); after != before {
		t.Errorf("a refused form was stored: %d responses before, %d after", before, after)
	}
}

// scriptingProbe is true when the document runs scripts: the HTML parser
// then reads <noscript> content as text, not as elements.
const scriptingProbe = `(function(){
	const box = document.createElement('div');
	box.innerHTML = '<noscript><span></span></noscript>';
	return box.querySelector('noscript span') === null;
})()`
