package checks

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// actorContexts name whoever triggered the run, not who wrote the code.
// In a workflow_run, the triggering run's actor and triggering_actor are
// the same kind of identity, one run earlier.
var actorContexts = map[string]bool{
	"github.actor": true, "github.triggering_actor": true, "github.event.sender.login": true,
	"github.event.workflow_run.actor.login": true, "github.event.workflow_run.triggering_actor.login": true,
}

// actorIDContexts are the numeric forms, compared with the bots' ids.
var actorIDContexts = map[string]bool{
	"github.actor_id": true, "github.triggering_actor_id": true, "github.event.sender.id": true,
	"github.event.workflow_run.actor.id": true, "github.event.workflow_run.triggering_actor.id": true,
}

// botIDs are the user ids of dependabot[bot], dependabot-preview[bot] and
// renovate[bot] and the Dependabot app id
// (compared as strings, like every expression comparison).
var botIDs = map[string]bool{"49699333": true, "29110": true, "27856297": true, "29139614": true}

type spoofableBot struct{}

func (spoofableBot) ID() string { return RuleSpoofableBotCheck }

// Run reports `if:` conditions of pull_request_target and workflow_run
// workflows that trust a job to a bot because the actor is that bot. The
// actor is whoever triggered the run: a fork's author can get
// dependabot[bot] to be the actor of a run on their own code (by asking
// it to rebase their branch), so the check lets them through with the
// workflow's token and secrets.
func (spoofableBot) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		w := f.Workflow
		if w == nil {
			continue
		}
		trigger := ""
		for _, t := range []string{"pull_request_target", "workflow_run"} {
			if w.Has(t) {
				trigger = t
			}
		}
		if trigger == "" {
			continue
		}
		for _, j := range w.Jobs {
			conds := []*workflow.Value{j.If}
			for _, s := range j.Steps {
				conds = append(conds, s.If)
			}
			for _, c := range conds {
				out = append(out, botChecks(f, j, c, trigger)...)
			}
		}
	}
	return out, nil
}

// botChecks finds actor-is-a-bot comparisons in one condition.
func botChecks(f *workflow.File, j *workflow.Job, cond *workflow.Value, trigger string) []Finding {
	if cond == nil {
		return nil
	}
	type body struct {
		text   string
		offset int
	}
	var bodies []body
	if xs := workflow.Expressions(cond.Value); len(xs) > 0 {
		for _, x := range xs {
			bodies = append(bodies, body{x.Body(), x.Offset + 3})
		}
	} else {
		bodies = append(bodies, body{cond.Value, 0}) // `if:` is an expression without ${{ }}
	}
	var out []Finding
	for _, b := range bodies {
		n, err := workflow.ParseExpr(b.text)
		if err != nil {
			continue
		}
		if authorRequired(n) {
			continue // the pull request's author is checked too: the code is the bot's
		}
		for _, hit := range findBotChecks(n, true) {
			off := cond.SourceOffsets(f.Source.Src, []int{b.offset + hit.ref.Offset})[0]
			sev, conf := High, ConfidenceHigh
			if !hit.dominates {
				sev, conf = Medium, ConfidenceMedium
			}
			out = append(out, Finding{Rule: RuleSpoofableBotCheck, Severity: sev, Confidence: conf,
				Message: fmt.Sprintf("job %q trusts %s because %s is %q: on %s the actor is whoever triggered the run, "+
					"and a fork's author can make the bot trigger it on their code; check the pull request's author "+
					"(github.event.pull_request.user.login) instead", j.ID, hit.bot, hit.ref.Raw, hit.bot, trigger),
				Primary: locAt(f, off, off+len(hit.ref.Raw)), Subject: hit.ref.Raw})
		}
	}
	return out
}

type botHit struct {
	ref       *workflow.ContextRef
	bot       string
	dominates bool // the check alone can make the whole condition true
}

// findBotChecks walks a condition. A check dominates when nothing but
// `||` stands between it and the top: then the bot's name alone passes.
func findBotChecks(n *workflow.Node, dominating bool) []botHit {
	if n == nil {
		return nil
	}
	switch {
	case n.Kind == workflow.NodeBinary && n.Op == "==":
		if h, ok := botComparison(n.Args[0], n.Args[1]); ok {
			h.dominates = dominating
			return []botHit{h}
		}
	case n.IsCall("contains") || n.IsCall("startswith") || n.IsCall("endswith"):
		if len(n.Args) == 2 {
			if h, ok := botComparison(n.Args[0], n.Args[1]); ok {
				h.dominates = dominating
				return []botHit{h}
			}
		}
	case n.Kind == workflow.NodeBinary && n.Op == "||":
		return append(findBotChecks(n.Args[0], dominating), findBotChecks(n.Args[1], dominating)...)
	}
	var out []botHit
	for _, a := range n.Args {
		out = append(out, findBotChecks(a, false)...)
	}
	return out
}

// botComparison matches an actor context against a bot's name or id (a
// literal, or literals inside a call such as `fromJSON('[…]')`), in
// either order.
func botComparison(a, b *workflow.Node) (botHit, bool) {
	if a.Kind != workflow.NodeContext {
		a, b = b, a
	}
	if a.Kind != workflow.NodeContext {
		return botHit{}, false
	}
	var hit botHit
	found := false
	b.Walk(func(n *workflow.Node) {
		if found || n.Kind != workflow.NodeLiteral {
			return
		}
		lit := strings.ToLower(n.Lit)
		switch {
		case actorContexts[a.Ref.Path] && (strings.Contains(lit, "[bot]") || strings.Contains(lit, "dependabot") || strings.Contains(lit, "renovate")):
			hit, found = botHit{ref: a.Ref, bot: botName(n.Lit)}, true
		case actorIDContexts[a.Ref.Path] && botIDs[lit]:
			hit, found = botHit{ref: a.Ref, bot: n.Lit}, true
		}
	})
	return hit, found
}

// botName picks the first bot name out of a literal (a JSON list of names
// gives its first one).
func botName(lit string) string {
	if m := botNamePattern.FindString(lit); m != "" {
		return m
	}
	return lit
}

var botNamePattern = regexp.MustCompile(`[A-Za-z0-9-]+\[bot\]`)

// authorRequired reports whether a condition can only pass when the pull
// request's author is checked: an author comparison reached from the top
// through `&&` alone.
func authorRequired(n *workflow.Node) bool {
	switch {
	case n == nil:
		return false
	case n.Kind == workflow.NodeBinary && n.Op == "&&":
		return authorRequired(n.Args[0]) || authorRequired(n.Args[1])
	case n.Kind == workflow.NodeBinary && n.Op == "==":
		for _, a := range n.Args {
			if a.Kind == workflow.NodeContext && (a.Ref.Path == "github.event.pull_request.user.login" || a.Ref.Path == "github.event.pull_request.user.id") {
				return true
			}
		}
	}
	return false
}
