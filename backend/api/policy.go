package api

import (
	"context"

	"mailroom/backend/fault"
	"mailroom/backend/users"
)

// access says who may call a method: the app before onboarding (anonymous), nobody signed
// in on a set-up workstation (signedOut: at start, after a lock or the idle limit), and/or
// the listed roles.
type access struct {
	anonymous bool
	signedOut bool
	roles     []users.Role
}

var (
	everyone    = access{anonymous: true, signedOut: true, roles: users.Roles}
	signedIn    = access{roles: users.Roles}
	onlyBefore  = access{anonymous: true} // before onboarding only
	superAdmins = access{roles: []users.Role{users.SuperAdmin}}
	admins      = access{roles: []users.Role{users.SuperAdmin, users.Admin}}
	// superAdminsOrFirstRun: a super admin, or anybody before onboarding (the first-run
	// screen's restore), never a set-up workstation with nobody signed in.
	superAdminsOrFirstRun = access{anonymous: true, roles: []users.Role{users.SuperAdmin}}
	// signingIn is the sign-in screen's: once set up, signed in or not (switching user).
	signingIn = access{signedOut: true, roles: users.Roles}
)

// policy is the single permission table: "Service.Method" → who may call it. A bound
// method missing here is refused to everybody.
var policy = map[string]access{
	"Session.State":       everyone,
	"Session.Onboard":     onlyBefore,
	"Session.SetLanguage": everyone,
	"Session.Me":          signedIn,
	// Signing in (F21): the users to choose from, the password; locking, activity, the profile.
	"Session.SignInUsers":    signingIn,
	"Session.SignIn":         signingIn,
	"Session.Lock":           signedIn,
	"Session.Touch":          signedIn,
	"Session.SetIdleLock":    superAdmins,
	"Session.UpdateProfile":  signedIn,
	"Session.ChangePassword": signedIn,

	"System.Status":     everyone,
	"System.CheckVault": everyone,
	// Whether each sign-in is set up: the wizard asks; the client IDs go to super admins only.
	"System.SignInClients":   signedIn,
	"System.SetSignInClient": superAdmins,

	"Users.List":    admins,
	"Users.Create":  superAdmins,
	"Users.SetRole": superAdmins,
	"Users.Remove":  superAdmins,
	// A super admin sets anyone's password without the current one (F21).
	"Users.ResetPassword": superAdmins,

	"Accounts.List":             signedIn,
	"Accounts.Get":              admins,
	"Accounts.Providers":        signedIn,
	"Accounts.ProviderSettings": admins,
	"Accounts.Discover":         admins,
	"Accounts.Test":             admins,
	"Accounts.CancelTest":       admins,
	"Accounts.TrustCertificate": admins,
	"Accounts.Create":           admins,
	"Accounts.Update":           admins,
	"Accounts.SetDisabled":      admins,
	"Accounts.Delete":           admins,
	"Accounts.Grant":            admins,
	"Accounts.Revoke":           admins,
	"Accounts.Quota":            signedIn,
	"Accounts.SetQuota":         superAdmins,
	"Accounts.SendTestEmail":    admins,
	"Accounts.SignIn":           admins,
	"Accounts.ReopenSignIn":     admins,
	"Accounts.SignInAgain":      admins,
	"Accounts.Disconnect":       admins,
	// The deliverability check: admins run it; whoever may use the account reads the last
	// result (Deliverability checks the grant for collaborators).
	"Accounts.CheckDeliverability": admins,
	// Signatures and each user's defaults (F14, F18): admins edit them; a collaborator reads
	// the signatures of an account granted to them (Signatures checks the grant).
	"Accounts.Signatures":       signedIn,
	"Accounts.SaveSignature":    admins,
	"Accounts.DeleteSignature":  admins,
	"Accounts.PreviewSignature": signedIn,
	"Accounts.Grants":           admins,
	"Accounts.SetDefaults":      admins,
	"Accounts.Deliverability":   signedIn,

	"Mail.List":              signedIn,
	"Mail.Folders":           signedIn,
	"Mail.Get":               signedIn,
	"Mail.SetFlags":          signedIn,
	"Mail.AllowRemoteImages": signedIn,
	"Mail.SaveAttachment":    signedIn,
	"Mail.Draft":             signedIn,
	"Mail.Send":              signedIn,
	"Mail.ComposeSetup":      signedIn,

	"Sync.Status":          signedIn,
	"Sync.Now":             signedIn,
	"Sync.Cancel":          signedIn,
	"Sync.SetFolderSynced": signedIn,

	"Outbox.List":     signedIn,
	"Outbox.SentLog":  signedIn,
	"Outbox.Counts":   signedIn,
	"Outbox.Get":      signedIn,
	"Outbox.Retry":    signedIn,
	"Outbox.Cancel":   signedIn,
	"Outbox.MarkSent": signedIn,

	// Records: everyone signed in reads and edits them; admins define types and fields and
	// empty the trash.
	"Records.Types":       signedIn,
	"Records.CreateType":  admins,
	"Records.UpdateType":  admins,
	"Records.DeleteType":  admins,
	"Records.AddField":    admins,
	"Records.UpdateField": admins,
	"Records.FieldUsage":  admins,
	"Records.DeleteField": admins,
	"Records.List":        signedIn,
	"Records.Get":         signedIn,
	"Records.Create":      signedIn,
	"Records.Update":      signedIn,
	"Records.Delete":      signedIn,
	"Records.Restore":     signedIn,
	"Records.Trash":       signedIn,
	"Records.EmptyTrash":  admins,
	"Records.Views":       signedIn,
	"Records.SaveView":    signedIn,
	"Records.DeleteView":  signedIn,

	// Templates: everyone signed in reads and previews them (they send with them); admins
	// write them and their attachments, as they define the fields placeholders name.
	"Templates.List":             signedIn,
	"Templates.Get":              signedIn,
	"Templates.Fields":           signedIn,
	"Templates.Preview":          signedIn,
	"Templates.Save":             admins,
	"Templates.Delete":           admins,
	"Templates.AddAttachment":    admins,
	"Templates.RemoveAttachment": admins,
	// Bulk sends: whoever may use the account sends through it (each method checks the
	// grant for collaborators); admins set an account's daily limit.
	"Bulk.Plan":                  signedIn,
	"Bulk.Preview":               signedIn,
	"Bulk.Start":                 signedIn,
	"Bulk.Pause":                 signedIn,
	"Bulk.Resume":                signedIn,
	"Bulk.Cancel":                signedIn,
	"Bulk.Progress":              signedIn,
	"Bulk.Jobs":                  signedIn,
	"Bulk.Limit":                 signedIn,
	"Bulk.SetLimit":              admins,
	"Bulk.DeliverabilityWarning": signedIn,
	"Bulk.AcknowledgeWarning":    signedIn,
	"Bulk.UnsubscribeRequest":    signedIn,
	"Bulk.StopEmailing":          signedIn,

	// Automations: everyone signed in reads them, their dry run, their run log and what
	// waits for approval; admins write, pause, run and approve them, as they write templates.
	"Automations.List":      signedIn,
	"Automations.Get":       signedIn,
	"Automations.DryRun":    signedIn,
	"Automations.Log":       signedIn,
	"Automations.Pending":   signedIn,
	"Automations.ForRecord": signedIn,
	"Automations.Save":      admins,
	"Automations.Delete":    admins,
	"Automations.Pause":     admins,
	"Automations.Resume":    admins,
	"Automations.RunNow":    admins,
	"Automations.Approve":   admins,
	"Automations.Skip":      admins,
	// Send by button: admins add buttons to record types; everyone signed in sees and sends
	// them (from an account granted to them or the office sender, checked in the method).
	"Buttons.List":      signedIn,
	"Buttons.Save":      admins,
	"Buttons.Delete":    admins,
	"Buttons.ForRecord": signedIn,
	"Buttons.Prepare":   signedIn,
	"Buttons.Send":      signedIn,
	// The office sender: everyone signed in reads it (the composer offers it to a collaborator
	// without an account); a super admin chooses it.
	"Accounts.OfficeSender":    signedIn,
	"Accounts.SetOfficeSender": superAdmins,

	// Filing: everyone signed in files the mail of the accounts they may read; admins
	// choose the filed types and the free-mail exceptions and re-file everything.
	"Filing.Count":                 signedIn,
	"Filing.ToFile":                signedIn,
	"Filing.MessageRecords":        signedIn,
	"Filing.FileTo":                signedIn,
	"Filing.Unfile":                signedIn,
	"Filing.Timeline":              signedIn,
	"Filing.Ignore":                signedIn,
	"Filing.Unignore":              signedIn,
	"Filing.Ignored":               signedIn,
	"Filing.SetHandled":            signedIn,
	"Filing.Sharing":               signedIn,
	"Filing.Settings":              admins,
	"Filing.SetFiledType":          admins,
	"Filing.SetDomainException":    admins,
	"Filing.RemoveDomainException": admins,
	"Filing.Refile":                admins,
	"Filing.CancelRefile":          admins,
	// Imports and exports: admins import (and undo an import); everyone signed in exports
	// the lists they read.
	"Imports.Open":     admins,
	"Imports.Inspect":  admins,
	"Imports.Preview":  admins,
	"Imports.Validate": admins,
	"Imports.Run":      admins,
	"Imports.Cancel":   admins,
	"Imports.Close":    admins,
	"Imports.History":  admins,
	"Imports.Undo":     admins,
	"Imports.Export":   signedIn,

	// Backups (F24): a backup holds everybody's data, so only super admins back up and
	// restore; before onboarding, the first-run screen may restore (and only then).
	"Backups.ChooseSaveFile":   superAdmins,
	"Backups.ChooseFolder":     superAdmins,
	"Backups.BackupNow":        superAdmins,
	"Backups.Settings":         superAdmins,
	"Backups.SetSettings":      superAdmins,
	"Backups.List":             superAdmins,
	"Backups.ChooseBackupFile": superAdminsOrFirstRun,
	"Backups.Inspect":          superAdminsOrFirstRun,
	"Backups.Restore":          superAdminsOrFirstRun,

	"Presets.List":   admins,
	"Presets.Save":   admins,
	"Presets.Delete": admins,
}

// caller is who is calling: ok is false when nobody is signed in.
type caller struct {
	user users.User
	ok   bool
}

// isAdmin reports whether the caller manages accounts (and so sees all of them).
func (c caller) isAdmin() bool {
	return c.ok && (c.user.Role == users.SuperAdmin || c.user.Role == users.Admin)
}

// run is how every bound method starts: it checks the caller against policy (the one
// permission check), then runs fn with a bounded context.
func run[T any](b *Backend, method string, fn func(ctx context.Context, c caller) (T, error)) (T, error) {
	var zero T
	b.gate.RLock()
	defer b.gate.RUnlock()
	ctx, cancel := b.context()
	defer cancel()
	c, err := b.authorize(ctx, method)
	if err != nil {
		return zero, err
	}
	return fn(ctx, c)
}

// do is run for methods that return only an error.
func do(b *Backend, method string, fn func(ctx context.Context, c caller) error) error {
	_, err := run(b, method, func(ctx context.Context, c caller) (struct{}, error) { return struct{}{}, fn(ctx, c) })
	return err
}

func (b *Backend) authorize(ctx context.Context, method string) (caller, error) {
	a, known := policy[method]
	if !known {
		return caller{}, fault.ErrForbidden.New(nil)
	}
	if b.DB == nil {
		// The database could not be opened: only the public status methods may run.
		if a.anonymous {
			return caller{}, nil
		}
		return caller{}, fault.ErrStoreUnavailable.Wrap(b.BootErr, nil)
	}
	u, ok, err := b.Users.Current(ctx)
	if err != nil {
		return caller{}, err
	}
	if !ok {
		n, err := b.Users.Count(ctx)
		if err != nil {
			return caller{}, err
		}
		switch {
		case n == 0 && a.anonymous, n > 0 && a.signedOut:
			return caller{}, nil
		case n == 0:
			return caller{}, errNotSetUp.New(nil)
		}
		if _, idle := b.Users.LastSignedIn(); idle {
			return caller{}, errLockedIdle.New(nil)
		}
		return caller{}, errSignedOut.New(nil)
	}
	for _, r := range a.roles {
		if r == u.Role {
			return caller{user: u, ok: true}, nil
		}
	}
	return caller{}, fault.ErrForbidden.New(nil)
}
