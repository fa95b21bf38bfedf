package report

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/shadowai/shadowai/collector/internal/config"
)

// Subject is the one-line summary used as mail subject and webhook title.
func (r *Report) Subject() string {
	return fmt.Sprintf("Shadow AI report %s: %d new AI tools, %d not sanctioned, %d hosts", r.Week,
		r.Totals.NewServices, r.Totals.NotSanctioned, r.Totals.Hosts)
}

// Deliver sends the report to every configured destination; it returns
// the first failure after trying them all.
func (r *Report) Deliver(ctx context.Context, cfg config.Report) error {
	var first error
	if cfg.SMTP.Addr != "" {
		if err := r.Mail(ctx, cfg.SMTP); err != nil {
			first = err
		}
	}
	if cfg.Webhook.URL != "" {
		if err := r.Post(ctx, cfg.Webhook.URL); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// mailTimeout bounds one delivery by mail, from dialling to QUIT.
var mailTimeout = time.Minute

// Mail sends the report: a plain-text summary with report.html and
// report.csv attached.
func (r *Report) Mail(ctx context.Context, c config.SMTP) error {
	msg, err := r.mimeMessage(c.From, c.To)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(c.Addr)
	var auth smtp.Auth
	if c.Username != "" {
		pw, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return fmt.Errorf("reading report.smtp.password_file: %w", err)
		}
		auth = smtp.PlainAuth("", c.Username, strings.TrimSpace(string(pw)), host)
	}
	if err := sendMail(ctx, c.Addr, host, auth, c.From, c.To, msg); err != nil {
		return fmt.Errorf("mailing the report through %s: %w", c.Addr, err)
	}
	return nil
}

// sendMail is smtp.SendMail under a deadline: net/smtp sets none, and a
// server that stops answering would hold this report, and every later
// scheduled one, forever.
func sendMail(ctx context.Context, addr, host string, a smtp.Auth, from string, to []string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	defer context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := startTLSAndAuth(c, host, a); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// startTLSAndAuth upgrades to TLS when the server offers it and
// authenticates when a is set, as smtp.SendMail does.
func startTLSAndAuth(c *smtp.Client, host string, a smtp.Auth) error {
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if a == nil {
		return nil
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return errors.New("the server does not offer AUTH, and report.smtp.username is set")
	}
	return c.Auth(a)
}

func (r *Report) mimeMessage(from string, to []string) ([]byte, error) {
	for _, a := range append([]string{from}, to...) {
		if strings.ContainsAny(a, "\r\n") {
			return nil, fmt.Errorf("mail address %q contains a line break", a)
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fmt.Fprintf(&body, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n",
		from, strings.Join(to, ", "), r.Subject(), time.Now().Format(time.RFC1123Z), mw.Boundary())
	if err := r.mimeParts(mw); err != nil {
		return nil, err
	}
	return body.Bytes(), mw.Close()
}

func (r *Report) mimeParts(mw *multipart.Writer) error {
	var text bytes.Buffer
	if err := r.WriteMarkdown(&text); err != nil {
		return err
	}
	var html, csv bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		return err
	}
	if err := r.WriteCSV(&csv); err != nil {
		return err
	}
	parts := []struct {
		ctype, name string
		data        []byte
	}{{"text/plain; charset=utf-8", "", text.Bytes()}, {"text/html; charset=utf-8", "report.html", html.Bytes()},
		{"text/csv; charset=utf-8", "report.csv", csv.Bytes()}}
	for _, p := range parts {
		h := textproto.MIMEHeader{"Content-Type": {p.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}}
		if p.name != "" {
			h.Set("Content-Disposition", `attachment; filename="`+p.name+`"`)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		qp := quotedprintable.NewWriter(w)
		qp.Write(p.data)
		qp.Close()
	}
	return nil
}

// Post sends a Slack-compatible message ({"text": ...}) to a webhook.
func (r *Report) Post(ctx context.Context, url string) error {
	body, _ := json.Marshal(map[string]string{"text": r.slackText()})
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("posting the report to the webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("posting the report to the webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("posting the report to the webhook: %s", resp.Status)
	}
	return nil
}

// slackEscaper escapes the three characters Slack's mrkdwn reserves, and
// the formatting marks, in agent-supplied names.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "*", "∗", "_", "\u02cd", "~", "\u02dc", "`", "'")

func (r *Report) slackText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Shadow AI report %s* (%s, UTC)\n", r.Week, r.Span)
	for _, h := range r.Highlights(slackEscaper.Replace) {
		fmt.Fprintf(&b, "• %s\n", h)
	}
	if len(r.Ranking) > 0 {
		b.WriteString("Highest risk: ")
		for i, s := range r.Ranking[:min(3, len(r.Ranking))] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (%s, %s)", slackEscaper.Replace(s.Name), policyLabel(s.Policy), plural(s.Hosts, "host"))
		}
		b.WriteString("\n")
	}
	return b.String()
}
