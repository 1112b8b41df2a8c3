package browsertest

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored; see axe/README.md.
//
//go:embed axe/axe.min.js
var axeSource string

// axeTimeout is longer than DefaultTimeout because axe visits every element
// and a long list page can take several seconds.
const axeTimeout = 60 * time.Second

// axeTags are the rule sets Kitshelf is held to: WCAG 2.2 AA (which needs
// the 2.0 and 2.1 A/AA tags too, as axe files each rule under the version
// that introduced it) plus Deque's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"}

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID          string          `json:"id"`     // rule id, e.g. "label", "color-contrast"
	Impact      string          `json:"impact"` // "minor", "moderate", "serious" or "critical"
	Help        string          `json:"help"`
	HelpURL     string          `json:"helpUrl"`
	Description string          `json:"description"`
	Nodes       []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target is the CSS selector path to the element; it has more than one
	// entry when the element is inside an iframe or a shadow root.
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// Blocking reports whether the violation fails [Tab.Axe]: impact serious or
// critical.
func (v Violation) Blocking() bool {
	return v.Impact == "serious" || v.Impact == "critical"
}

// AxeViolations runs axe-core on the current page and returns every
// violation, whatever its impact. axe is injected through the DevTools
// protocol, which the page's Content-Security-Policy does not govern, so
// pages need no test-only script.
func (tab *Tab) AxeViolations() []Violation {
	tab.t.Helper()
	loaded := run(tab, tab.timeout, "check for axe-core", chromedp.Evaluate[bool](`typeof window.axe === 'object' && typeof window.axe.run === 'function'`))
	if !loaded {
		run(tab, tab.timeout, "inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource))
	}
	// Only the fields above are returned: axe's full result holds DOM
	// references and every passing check, which is large and useless here.
	script := fmt.Sprintf(`axe.run(document, {
		runOnly: {type: 'tag', values: %s},
		resultTypes: ['violations'],
	}).then(r => r.violations.map(v => ({
		id: v.id,
		impact: v.impact || '',
		help: v.help,
		helpUrl: v.helpUrl,
		description: v.description,
		nodes: v.nodes.map(n => ({
			target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : String(t)),
			html: n.html,
			failureSummary: n.failureSummary || '',
		})),
	})))`, jsStrings(axeTags))
	return run(tab, axeTimeout, "run axe-core", chromedp.Evaluate[[]Violation](script, chromedp.EvalAwaitPromise))
}

func jsStrings(ss []string) string {
	quoted := make([]string, len(ss))
	for i, s := range ss {
		quoted[i] = jsString(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// Axe checks the current page against WCAG 2.2 AA and axe best practices.
// Serious and critical violations mark the test failed (it continues);
// moderate and minor ones are logged with t.Log.
func (tab *Tab) Axe() {
	tab.t.Helper()
	var blocking []Violation
	for _, v := range tab.AxeViolations() {
		if v.Blocking() {
			blocking = append(blocking, v)
		} else {
			tab.t.Logf("axe (%s, not failing): %s", v.Impact, describeViolation(v))
		}
	}
	if len(blocking) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "browsertest: axe: %d serious or critical accessibility violation(s):", len(blocking))
	for _, v := range blocking {
		fmt.Fprintf(&b, "\n  [%s] %s", v.Impact, describeViolation(v))
	}
	tab.t.Errorf("%s%s", b.String(), tab.where())
}

// describeViolation gives the rule, its help text and the first few
// elements, which is usually enough to find the template to fix.
func describeViolation(v Violation) string {
	const shown = 3
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%s)", v.ID, v.Help, v.HelpURL)
	for i, n := range v.Nodes {
		if i == shown {
			fmt.Fprintf(&b, "\n      ... and %d more", len(v.Nodes)-shown)
			break
		}
		fmt.Fprintf(&b, "\n      %s: %s", strings.Join(n.Target, " "), shorten(n.HTML, 200))
	}
	return b.String()
}
