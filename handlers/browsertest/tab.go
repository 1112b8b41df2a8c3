package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// DefaultTimeout is how long a single Tab action may take before it fails the
// test. Waiting for an element counts towards it.
const DefaultTimeout = 10 * time.Second

// Tab is a browser tab owned by one test.
//
// Selectors are CSS selectors (document.querySelector). Actions that need an
// element wait for it, up to the tab's timeout. When an action fails, the
// test fails with t.Fatal, and the message has the page's URL and the path of
// a screenshot taken at that moment. Assertions (Axe, AssertNoConsoleErrors)
// use t.Error so that one test can report several problems.
//
// Like t.Fatal, the methods must be called from the test's own goroutine.
type Tab struct {
	t       testing.TB
	ctx     context.Context
	timeout time.Duration

	failures int // numbers failure screenshots so they do not overwrite each other

	mu      sync.Mutex
	console []string
}

func open(t testing.TB, b *browser) *Tab {
	t.Helper()
	if b.err != nil {
		b.verdict.giveUp(t, strings.TrimSpace(b.err.Error()))
	}
	tab := &Tab{t: t, timeout: DefaultTimeout}
	ctx, cancel := chromedp.NewContext(b.ctx,
		// A browser context per tab is a private window: tests that log in
		// as different users in parallel must not share a cookie jar (cookies
		// ignore the port, so every 127.0.0.1 test server shares one).
		chromedp.WithNewBrowserContext(),
		// WithListener, not Events or Console: it runs before a command's
		// reply is delivered, so ConsoleErrors right after Go already has
		// what the page logged while loading.
		chromedp.WithListener(tab.record),
	)
	// This first Do creates the target and ties its life to ctx, so it must
	// have no deadline.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	tab.ctx = ctx
	t.Cleanup(cancel)
	return tab
}

// SetTimeout changes how long each later action may take (default
// [DefaultTimeout]). The timeout bounds one action only; the tab and the
// browser stay open when it expires.
func (tab *Tab) SetTimeout(d time.Duration) { tab.timeout = d }

// Context returns the tab's chromedp context, for driving chromedp directly.
// Give the calls their own timeout with context.WithTimeout on it; cancelling
// a derived context does not close the tab.
func (tab *Tab) Context() context.Context { return tab.ctx }

// run performs a with the tab's per-action timeout and fails the test on
// error. The deadline is on a child context, which ends only this action.
func run[T any](tab *Tab, timeout time.Duration, op string, a chromedp.Action[T]) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	// A node found in a document that a navigation then replaced cannot be
	// acted on; the action did nothing, so try it again on the new page.
	for err != nil && staleNode(err) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		v, err = chromedp.Run(ctx, a)
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %v", timeout)
		}
		tab.fail(op, err)
	}
	return v
}

// staleNode reports whether err says the element chromedp found is gone,
// which happens when the page navigates between finding and using it.
func staleNode(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Could not find node with given id") ||
		strings.Contains(msg, "No node with given id found") ||
		strings.Contains(msg, "Cannot find context with specified id")
}

func (tab *Tab) do(op string, steps ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	run(tab, tab.timeout, op, chromedp.Steps(steps...))
}

// fail ends the test with err and a description of where the page was.
func (tab *Tab) fail(op string, err error) {
	tab.t.Helper()
	tab.t.Fatalf("browsertest: %s: %v%s", op, err, tab.where())
}

// where describes the page for a failure message: its URL and a screenshot,
// which usually explains a missing element faster than the error does.
func (tab *Tab) where() string {
	tab.failures++
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
	defer cancel()
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		url = fmt.Sprintf("(unknown: %v)", err)
	}
	shot, err := tab.capture(ctx, fmt.Sprintf("failure-%d", tab.failures))
	if err != nil {
		shot = fmt.Sprintf("(none: %v)", err)
	}
	return "\n\turl: " + url + "\n\tscreenshot: " + shot
}

// jsString quotes s as a JavaScript string literal; JSON is a subset of
// JavaScript, so selectors with quotes or backslashes survive intact.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// shorten cuts s to at most n runes for a message, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Go navigates to url and waits for its load event.
func (tab *Tab) Go(url string) {
	tab.t.Helper()
	tab.do("go to "+url, chromedp.Navigate(url))
}

// Click clicks the centre of the element, once it is visible, with the mouse.
func (tab *Tab) Click(sel string) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("click %q (waits until visible)", sel), chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// Fill replaces the value of an input or textarea with text, typed key by
// key as a user (or a USB barcode scanner) would, so input and key handlers
// run. Append "\r" to text to finish with Enter.
func (tab *Tab) Fill(sel, text string) {
	tab.t.Helper()
	// chromedp.Clear only resets the value attribute, which no longer
	// matters once the field has been edited; clear the property instead.
	reset := fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		e.focus();
		e.value = '';
		e.dispatchEvent(new Event('input', {bubbles: true}));
	})()`, jsString(sel))
	tab.do(fmt.Sprintf("fill %q (waits until visible)", sel),
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](reset),
		chromedp.SendKeys(chromedp.CSS(sel), text),
	)
}

// Type focuses the element and types keys after whatever it holds. "\r" is
// Enter and "\t" is Tab, so Type(sel, code+"\r") is a barcode scanner.
func (tab *Tab) Type(sel, keys string) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("type into %q (waits until visible)", sel), chromedp.SendKeys(chromedp.CSS(sel), keys))
}

// Keys types text into whatever has focus, as a keyboard-only user would
// after reaching a field with Tab.
func (tab *Tab) Keys(text string) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("type %q into the focused element", text), chromedp.KeyEvent(text))
}

// namedKeys are the keys Press accepts by name, for keyboard-only journeys.
var namedKeys = map[string]string{
	"Enter":      kb.Enter,
	"Tab":        kb.Tab,
	"Space":      " ",
	"Escape":     kb.Escape,
	"Backspace":  kb.Backspace,
	"Delete":     kb.Delete,
	"ArrowUp":    kb.ArrowUp,
	"ArrowDown":  kb.ArrowDown,
	"ArrowLeft":  kb.ArrowLeft,
	"ArrowRight": kb.ArrowRight,
	"Home":       kb.Home,
	"End":        kb.End,
	"PageUp":     kb.PageUp,
	"PageDown":   kb.PageDown,
}

var modifierNames = map[string]chromedp.Modifier{
	"Shift": chromedp.ModifierShift,
	"Ctrl":  chromedp.ModifierCtrl,
	"Alt":   chromedp.ModifierAlt,
	"Meta":  chromedp.ModifierMeta,
}

// parseKey turns "Shift+Tab" or "a" into the keys and modifiers to send.
func parseKey(key string) (string, []chromedp.Modifier, error) {
	var mods []chromedp.Modifier
	for {
		name, rest, ok := strings.Cut(key, "+")
		m, isMod := modifierNames[name]
		if !ok || !isMod || rest == "" {
			break
		}
		mods = append(mods, m)
		key = rest
	}
	if k, ok := namedKeys[key]; ok {
		return k, mods, nil
	}
	if len([]rune(key)) == 1 {
		return key, mods, nil
	}
	return "", nil, fmt.Errorf("unknown key %q (want a single character or one of Enter, Tab, Space, Escape, Backspace, Delete, Arrow{Up,Down,Left,Right}, Home, End, PageUp, PageDown, optionally prefixed by Shift+, Ctrl+, Alt+ or Meta+)", key)
}

// Press presses and releases one key on whatever has focus: "Tab",
// "Shift+Tab", "Enter", "Space", "Escape", an arrow key, or one character.
func (tab *Tab) Press(key string) {
	tab.t.Helper()
	keys, mods, err := parseKey(key)
	if err != nil {
		tab.t.Fatalf("browsertest: press: %v", err)
	}
	tab.do("press "+key, chromedp.KeyEvent(keys, chromedp.KeyModifiers(mods...)))
}

// PressEnter presses Enter on whatever has focus.
func (tab *Tab) PressEnter() {
	tab.t.Helper()
	tab.Press("Enter")
}

// Focused describes document.activeElement briefly: "input#email",
// "button[name=save]", "a", or "body" when nothing has focus.
func (tab *Tab) Focused() string {
	tab.t.Helper()
	return run(tab, tab.timeout, "read the focused element", chromedp.Evaluate[string](`(() => {
		const e = document.activeElement;
		if (!e) return 'none';
		let s = e.tagName.toLowerCase();
		if (e.id) return s + '#' + e.id;
		const name = e.getAttribute('name');
		if (name) return s + '[name=' + name + ']';
		return s;
	})()`))
}

// FocusOn waits, up to the tab's timeout, for the focus to be on want (as
// Focused describes it) and returns where the focus is in the end. Scripts
// move focus after an event or a load, so a single look can come too early.
func (tab *Tab) FocusOn(want string) string {
	tab.t.Helper()
	deadline := time.Now().Add(tab.timeout)
	for {
		got := tab.Focused()
		if got == want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Text returns the element's rendered text (innerText), waiting for the
// element to exist.
func (tab *Tab) Text(sel string) string {
	tab.t.Helper()
	return run(tab, tab.timeout, fmt.Sprintf("read the text of %q (waits until it exists)", sel), chromedp.Text(chromedp.CSS(sel)))
}

// Value returns the current value of an input, select or textarea.
func (tab *Tab) Value(sel string) string {
	tab.t.Helper()
	return run(tab, tab.timeout, fmt.Sprintf("read the value of %q (waits until it exists)", sel), chromedp.Value(chromedp.CSS(sel)))
}

// Attr returns the attribute of the element, or "" when it is not set.
func (tab *Tab) Attr(sel, name string) string {
	tab.t.Helper()
	r := run(tab, tab.timeout, fmt.Sprintf("read attribute %s of %q (waits until it exists)", name, sel), chromedp.AttributeValue(chromedp.CSS(sel), name))
	return r.Value
}

// Exists reports whether an element matches sel right now, without waiting.
func (tab *Tab) Exists(sel string) bool {
	tab.t.Helper()
	return tab.Count(sel) > 0
}

// Count returns how many elements match sel right now, without waiting.
func (tab *Tab) Count(sel string) int {
	tab.t.Helper()
	return run(tab, tab.timeout, fmt.Sprintf("count %q", sel), chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))))
}

// WaitVisible waits until the element exists and is displayed.
func (tab *Tab) WaitVisible(sel string) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("wait until %q is visible", sel), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// WaitFor waits until the JavaScript expression cond is truthy and the page
// has finished loading, checking every 50 ms. It keeps checking across
// navigations, so it can wait for the page that a form post leads to.
func (tab *Tab) WaitFor(cond string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	if err := tab.poll(ctx, cond); err != nil {
		tab.fail("wait for "+cond, err)
	}
}

// poll evaluates cond until it is truthy. It does not use chromedp.Poll,
// which runs in one JavaScript context and so fails as soon as the page
// navigates; each check here is a fresh evaluation in whatever page is
// current, and errors from a page that is being replaced are retried.
func (tab *Tab) poll(ctx context.Context, cond string) error {
	// Wait for the document to finish loading too: a condition on location
	// turns true as soon as a navigation commits, before the page is usable.
	expr := fmt.Sprintf(`document.readyState === "complete" && !!(%s)`, cond)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		switch {
		case err == nil && ok:
			return nil
		case err != nil && ctx.Err() == nil:
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("timed out after %v; last error: %w", tab.timeout, last)
			}
			return fmt.Errorf("timed out after %v", tab.timeout)
		case <-tick.C:
		}
	}
}

// WaitText waits until the element's text content, trimmed, equals want.
// Like WaitFor, it keeps waiting across navigations.
func (tab *Tab) WaitText(sel, want string) {
	tab.t.Helper()
	cond := fmt.Sprintf(`document.querySelector(%s)?.textContent.trim() === %s`, jsString(sel), jsString(want))
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	err := tab.poll(ctx, cond)
	if err == nil {
		return
	}
	// The text the element ended up with is what makes this failure
	// actionable.
	rctx, rcancel := context.WithTimeout(tab.ctx, 5*time.Second)
	defer rcancel()
	got, gerr := chromedp.Run(rctx, chromedp.Evaluate[*string](fmt.Sprintf(`document.querySelector(%s)?.textContent.trim() ?? null`, jsString(sel))))
	switch {
	case gerr != nil:
	case got == nil:
		err = fmt.Errorf("%w; no element matches", err)
	default:
		err = fmt.Errorf("%w; its text is %q", err, *got)
	}
	tab.fail(fmt.Sprintf("wait until %q has text %q", sel, want), err)
}

// URL returns the address of the current page.
func (tab *Tab) URL() string {
	tab.t.Helper()
	return run(tab, tab.timeout, "read the URL", chromedp.Location())
}

// Title returns the title of the current page.
func (tab *Tab) Title() string {
	tab.t.Helper()
	return run(tab, tab.timeout, "read the title", chromedp.Title())
}

// Eval evaluates the JavaScript expression in the page and decodes its
// JSON value into T. A promise is awaited. Use a pointer T to accept null.
// Evaluation goes through the DevTools protocol, so the page's CSP does not
// block it.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	return run(tab, tab.timeout, "evaluate "+shorten(expr, 80), chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// SetViewport resizes the page's viewport to w×h CSS pixels, as a desktop
// browser window of that size. Media queries see the new width.
func (tab *Tab) SetViewport(w, h int) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("set the viewport to %dx%d", w, h), chromedp.EmulateViewport(int64(w), int64(h)))
}

// SetMobileViewport emulates a phone screen of w×h CSS pixels (for example
// 360×740) with touch, where, unlike [Tab.SetViewport], the page's
// <meta name="viewport"> decides the layout width as on a real phone: a page
// without it is laid out 980 pixels wide and shrunk.
func (tab *Tab) SetMobileViewport(w, h int) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("emulate a %dx%d phone", w, h),
		chromedp.EmulateViewport(int64(w), int64(h), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
}

// HasHorizontalScroll reports whether the page is wider than the viewport,
// the usual symptom of a layout that breaks on a phone.
func (tab *Tab) HasHorizontalScroll() bool {
	tab.t.Helper()
	return run(tab, tab.timeout, "measure the page width", chromedp.Evaluate[bool](`(() => {
		const root = document.documentElement;
		const body = document.body;
		const width = Math.max(root.scrollWidth, body ? body.scrollWidth : 0);
		return width > root.clientWidth;
	})()`))
}

// record keeps the page's errors. It runs in the tab's event loop, so it
// only formats and appends.
func (tab *Tab) record(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		msg = "console." + string(ev.Type) + ": " + formatArgs(ev.Args)
		if ev.StackTrace != nil && len(ev.StackTrace.CallFrames) > 0 {
			f := ev.StackTrace.CallFrames[0]
			msg += fmt.Sprintf(" (%s:%d)", f.URL, f.LineNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text = d.Exception.Description
		}
		msg = fmt.Sprintf("uncaught exception: %s (%s:%d)", text, d.URL, d.LineNumber+1)
	case *log.EventEntryAdded:
		// Chromium reports CSP violations, failed subresource loads and
		// similar browser-side problems here, not as console API calls.
		e := ev.Entry
		if e.Level != log.EntryLevelError {
			return
		}
		msg = string(e.Source) + ": " + e.Text
		if e.URL != "" {
			msg += " (" + e.URL + ")"
		}
	default:
		return
	}
	tab.mu.Lock()
	tab.console = append(tab.console, msg)
	tab.mu.Unlock()
}

func formatArgs(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
		case a.Description != "":
			s = a.Description
		case a.UnserializableValue != "":
			s = string(a.UnserializableValue)
		default:
			s = string(a.Value)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// ConsoleErrors returns the errors the tab's pages have produced so far:
// console.error and console.assert calls, uncaught exceptions, and browser
// log errors, which include Content-Security-Policy violations and failed
// loads.
func (tab *Tab) ConsoleErrors() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.console...)
}

// AssertNoConsoleErrors marks the test failed (without stopping it) if
// ConsoleErrors is not empty.
func (tab *Tab) AssertNoConsoleErrors() {
	tab.t.Helper()
	errs := tab.ConsoleErrors()
	if len(errs) == 0 {
		return
	}
	tab.t.Errorf("browsertest: %d console error(s):\n\t%s%s", len(errs), strings.Join(errs, "\n\t"), tab.where())
}
