package dashboard

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/metrics"
	"github.com/hardener/hardener/internal/config"
)

// Names the dashboard reads the App's work by.
const (
	checkName       = "hardener"
	hardeningBranch = "hardener/harden"
	orgRepo         = ".github"
)

// DefaultMaxRefresh bounds the repositories one run reads (two requests
// each); the others keep their rows, marked to be read by a later run.
const DefaultMaxRefresh = 250

// Dashboard keeps the organisations' dashboard issues. It is safe for
// concurrent use.
type Dashboard struct {
	// App is the App's own client (its JWT), used once to learn the App's
	// slug: the dashboard issue is the one its bot opened.
	App func(ctx context.Context) *github.Client
	// AppID keeps check runs of other Apps named `hardener` out.
	AppID int64
	// MaxRefresh is DefaultMaxRefresh when 0.
	MaxRefresh int
	// Now is time.Now when nil.
	Now func() time.Time

	mu   sync.Mutex
	slug string
}

func (d *Dashboard) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Installation refreshes the dashboard of the installation's owner, when
// the owner's organisation file enables it, from repos: the repositories
// the installation sees, as the rescan listed them. It writes the issue at
// most once, and not at all when nothing it shows changed.
func (d *Dashboard) Installation(ctx context.Context, gh *github.Client, installationID int64, repos []*github.Repository) error {
	err := d.installation(ctx, gh, installationID, repos)
	if err != nil {
		metrics.From(ctx).Add(metrics.DashboardErrors, "", 1)
	}
	return err
}

func (d *Dashboard) installation(ctx context.Context, gh *github.Client, installationID int64, repos []*github.Repository) error {
	if len(repos) == 0 {
		return nil
	}
	owner := repos[0].GetOwner().GetLogin()
	org, orgSHA, err := orgConfig(ctx, gh, owner)
	if err != nil || org == nil || !org.Dashboard.Enabled {
		return err
	}
	logger := intake.LoggerFrom(ctx).With("dashboard", owner+"/"+org.Dashboard.Repository)
	var target *github.Repository
	for _, r := range repos {
		if strings.EqualFold(r.GetName(), org.Dashboard.Repository) {
			target = r
		}
	}
	if target == nil {
		return fmt.Errorf("dashboard: the App cannot see %s/%s; install it on that repository", owner, org.Dashboard.Repository)
	}
	bot, err := d.botLogin(ctx, installationID)
	if err != nil {
		return err
	}
	ir := issueRepo{gh: gh, owner: owner, name: target.GetName(), bot: bot}
	issue, err := ir.find(ctx)
	if err != nil {
		return err
	}
	prev, err := decodeState(issue.GetBody())
	if err != nil {
		logger.Warn("dashboard state unreadable; every repository is read again", "err", err)
	}
	cur, stats := d.rows(ctx, gh, owner, repos, org, orgSHA, prev)
	data := Data{Owner: owner, Rows: cur.list(), Updated: prev.Updated, History: prev.History,
		PublicIssue: !isPrivate(target)}
	// What the issue would show with nothing new but the rows: if that is
	// what it shows, there is nothing to write.
	candidate := &saved{Watermark: prev.Watermark, OrgConfig: prev.OrgConfig, Updated: prev.Updated, History: prev.History, Rows: cur.byID}
	body, _, err := render(data, candidate)
	if err != nil {
		return err
	}
	if issue != nil && body == issue.GetBody() {
		logger.Info("dashboard unchanged", "repositories", len(data.Rows), "read", stats.read)
		return nil
	}
	now := d.now().UTC().Truncate(time.Second)
	pending := 0
	for _, r := range data.Rows {
		if r.State == Pending {
			pending++
		}
	}
	hist := append(append([]point(nil), prev.History...), point{At: now, Done: len(data.Rows) - pending, Total: len(data.Rows)})
	if len(hist) > maxHistory {
		hist = hist[len(hist)-maxHistory:]
	}
	data.Updated, data.History = now, hist
	next := &saved{Watermark: cur.watermark, OrgConfig: orgSHA, Updated: now, History: hist, Rows: cur.byID}
	body, dropped, err := render(data, next)
	if err != nil {
		return err
	}
	is, wrote, err := ir.write(ctx, issue, body)
	if err != nil {
		return err
	}
	if wrote {
		metrics.From(ctx).Add(metrics.DashboardUpdates, "", 1)
	}
	logger.Info("dashboard updated", "issue", is.GetNumber(), "repositories", len(data.Rows),
		"read", stats.read, "left_for_later", stats.deferred, "forgotten", dropped)
	return nil
}

// botLogin is the login of the App's bot, "<slug>[bot]", learnt once.
func (d *Dashboard) botLogin(ctx context.Context, installationID int64) (string, error) {
	d.mu.Lock()
	slug := d.slug
	d.mu.Unlock()
	if slug == "" {
		if d.App == nil {
			return "", errors.New("dashboard: no App client to learn the App's name")
		}
		inst, _, err := d.App(ctx).Apps.GetInstallation(ctx, installationID)
		if err != nil {
			return "", fmt.Errorf("dashboard: reading installation %d: %w", installationID, ghclient.Redact(err))
		}
		if slug = inst.GetAppSlug(); slug == "" {
			return "", errors.New("dashboard: GitHub did not say the App's slug")
		}
		d.mu.Lock()
		d.slug = slug
		d.mu.Unlock()
	}
	return slug + "[bot]", nil
}

// orgConfig reads the organisation file (nil when there is none) and
// identifies its content by the start of its blob SHA.
func orgConfig(ctx context.Context, gh *github.Client, owner string) (*config.Org, uint64, error) {
	fc, _, _, err := gh.Repositories.GetContents(ctx, owner, orgRepo, config.File, nil)
	switch {
	case ghclient.IsNotFound(err):
		return nil, 0, nil
	case err != nil:
		return nil, 0, fmt.Errorf("dashboard: organisation config %s/%s: %w", owner, orgRepo, err)
	case fc == nil:
		return nil, 0, fmt.Errorf("dashboard: %s/%s:%s is not a file", owner, orgRepo, config.File)
	}
	text, err := fc.GetContent()
	if err != nil {
		return nil, 0, fmt.Errorf("dashboard: organisation config %s/%s: %w", owner, orgRepo, err)
	}
	o, err := config.ParseOrg([]byte(text))
	if err != nil {
		return nil, 0, fmt.Errorf("dashboard: not updated, the organisation config is invalid: %w", err)
	}
	sha, _ := strconv.ParseUint(fc.GetSHA()[:min(16, len(fc.GetSHA()))], 16, 64)
	return &o, sha, nil
}

func isPrivate(r *github.Repository) bool {
	return r.GetPrivate() || (r.GetVisibility() != "" && r.GetVisibility() != "public")
}
