package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"mailroom/backend/fault"
	"mailroom/backend/vault"
)

// Principals who can call a bound method.
const (
	anon   = "anonymous" // before onboarding: no user exists yet
	nobody = "nobody"    // set up, nobody signed in (at start, after a lock or the idle limit)
	super  = "super_admin"
	admin  = "admin"
	collab = "collaborator"
)

var all = []string{anon, nobody, super, admin, collab}

// allowed is the permission table of every bound method, written out independently of
// policy.go: adding a bound method without a line here fails the test, and so does a
// change of who may call what.
var allowed = map[string][]string{
	"Session.State":          {anon, nobody, super, admin, collab},
	"Session.Onboard":        {anon},
	"Session.SetLanguage":    {anon, nobody, super, admin, collab},
	"Session.Me":             {super, admin, collab},
	"Session.SignInUsers":    {nobody, super, admin, collab},
	"Session.SignIn":         {nobody, super, admin, collab},
	"Session.Lock":           {super, admin, collab},
	"Session.Touch":          {super, admin, collab},
	"Session.SetIdleLock":    {super},
	"Session.UpdateProfile":  {super, admin, collab},
	"Session.ChangePassword": {super, admin, collab},

	"System.Status":          {anon, nobody, super, admin, collab},
	"System.CheckVault":      {anon, nobody, super, admin, collab},
	"System.SignInClients":   {super, admin, collab},
	"System.SetSignInClient": {super},

	"Users.List":          {super, admin},
	"Users.Create":        {super},
	"Users.SetRole":       {super},
	"Users.Remove":        {super},
	"Users.ResetPassword": {super},

	"Accounts.List":                {super, admin, collab},
	"Accounts.Get":                 {super, admin},
	"Accounts.Providers":           {super, admin, collab},
	"Accounts.ProviderSettings":    {super, admin},
	"Accounts.Discover":            {super, admin},
	"Accounts.Test":                {super, admin},
	"Accounts.CancelTest":          {super, admin},
	"Accounts.TrustCertificate":    {super, admin},
	"Accounts.Create":              {super, admin},
	"Accounts.Update":              {super, admin},
	"Accounts.SetDisabled":         {super, admin},
	"Accounts.Delete":              {super, admin},
	"Accounts.Grant":               {super, admin},
	"Accounts.Revoke":              {super, admin},
	"Accounts.Quota":               {super, admin, collab},
	"Accounts.SetQuota":            {super},
	"Accounts.SendTestEmail":       {super, admin},
	"Accounts.SignIn":              {super, admin},
	"Accounts.ReopenSignIn":        {super, admin},
	"Accounts.SignInAgain":         {super, admin},
	"Accounts.Disconnect":          {super, admin},
	"Accounts.CheckDeliverability": {super, admin},
	"Accounts.Deliverability":      {super, admin, collab},
	"Accounts.Signatures":          {super, admin, collab},
	"Accounts.SaveSignature":       {super, admin},
	"Accounts.DeleteSignature":     {super, admin},
	"Accounts.PreviewSignature":    {super, admin, collab},
	"Accounts.Grants":              {super, admin},
	"Accounts.SetDefaults":         {super, admin},

	"Mail.List":              {super, admin, collab},
	"Mail.Folders":           {super, admin, collab},
	"Mail.Get":               {super, admin, collab},
	"Mail.SetFlags":          {super, admin, collab},
	"Mail.AllowRemoteImages": {super, admin, collab},
	"Mail.SaveAttachment":    {super, admin, collab},
	"Mail.Draft":             {super, admin, collab},
	"Mail.Send":              {super, admin, collab},
	"Mail.ComposeSetup":      {super, admin, collab},

	"Sync.Status":          {super, admin, collab},
	"Sync.Now":             {super, admin, collab},
	"Sync.Cancel":          {super, admin, collab},
	"Sync.SetFolderSynced": {super, admin, collab},

	"Outbox.List":     {super, admin, collab},
	"Outbox.SentLog":  {super, admin, collab},
	"Outbox.Counts":   {super, admin, collab},
	"Outbox.Get":      {super, admin, collab},
	"Outbox.Retry":    {super, admin, collab},
	"Outbox.Cancel":   {super, admin, collab},
	"Outbox.MarkSent": {super, admin, collab},

	"Templates.List":             {super, admin, collab},
	"Templates.Get":              {super, admin, collab},
	"Templates.Fields":           {super, admin, collab},
	"Templates.Preview":          {super, admin, collab},
	"Templates.Save":             {super, admin},
	"Templates.Delete":           {super, admin},
	"Templates.AddAttachment":    {super, admin},
	"Templates.RemoveAttachment": {super, admin},
	"Automations.List":           {super, admin, collab},
	"Automations.Get":            {super, admin, collab},
	"Automations.DryRun":         {super, admin, collab},
	"Automations.Log":            {super, admin, collab},
	"Automations.Pending":        {super, admin, collab},
	"Automations.ForRecord":      {super, admin, collab},
	"Automations.Save":           {super, admin},
	"Automations.Delete":         {super, admin},
	"Automations.Pause":          {super, admin},
	"Automations.Resume":         {super, admin},
	"Automations.RunNow":         {super, admin},
	"Automations.Approve":        {super, admin},
	"Automations.Skip":           {super, admin},
	"Buttons.List":               {super, admin, collab},
	"Buttons.Save":               {super, admin},
	"Buttons.Delete":             {super, admin},
	"Buttons.ForRecord":          {super, admin, collab},
	"Buttons.Prepare":            {super, admin, collab},
	"Buttons.Send":               {super, admin, collab},
	"Accounts.OfficeSender":      {super, admin, collab},
	"Accounts.SetOfficeSender":   {super},

	"Bulk.Plan":                  {super, admin, collab},
	"Bulk.Preview":               {super, admin, collab},
	"Bulk.Start":                 {super, admin, collab},
	"Bulk.Pause":                 {super, admin, collab},
	"Bulk.Resume":                {super, admin, collab},
	"Bulk.Cancel":                {super, admin, collab},
	"Bulk.Progress":              {super, admin, collab},
	"Bulk.Jobs":                  {super, admin, collab},
	"Bulk.Limit":                 {super, admin, collab},
	"Bulk.SetLimit":              {super, admin},
	"Bulk.DeliverabilityWarning": {super, admin, collab},
	"Bulk.AcknowledgeWarning":    {super, admin, collab},
	"Bulk.UnsubscribeRequest":    {super, admin, collab},
	"Bulk.StopEmailing":          {super, admin, collab},

	"Filing.Count":                 {super, admin, collab},
	"Filing.ToFile":                {super, admin, collab},
	"Filing.MessageRecords":        {super, admin, collab},
	"Filing.FileTo":                {super, admin, collab},
	"Filing.Unfile":                {super, admin, collab},
	"Filing.Timeline":              {super, admin, collab},
	"Filing.Ignore":                {super, admin, collab},
	"Filing.Unignore":              {super, admin, collab},
	"Filing.Ignored":               {super, admin, collab},
	"Filing.SetHandled":            {super, admin, collab},
	"Filing.Sharing":               {super, admin, collab},
	"Filing.Settings":              {super, admin},
	"Filing.SetFiledType":          {super, admin},
	"Filing.SetDomainException":    {super, admin},
	"Filing.RemoveDomainException": {super, admin},
	"Filing.Refile":                {super, admin},
	"Filing.CancelRefile":          {super, admin},
	"Records.Types":                {super, admin, collab},
	"Records.CreateType":           {super, admin},
	"Records.UpdateType":           {super, admin},
	"Records.DeleteType":           {super, admin},
	"Records.AddField":             {super, admin},
	"Records.UpdateField":          {super, admin},
	"Records.FieldUsage":           {super, admin},
	"Records.DeleteField":          {super, admin},
	"Records.List":                 {super, admin, collab},
	"Records.Get":                  {super, admin, collab},
	"Records.Create":               {super, admin, collab},
	"Records.Update":               {super, admin, collab},
	"Records.Delete":               {super, admin, collab},
	"Records.Restore":              {super, admin, collab},
	"Records.Trash":                {super, admin, collab},
	"Records.EmptyTrash":           {super, admin},
	"Records.Views":                {super, admin, collab},
	"Records.SaveView":             {super, admin, collab},
	"Records.DeleteView":           {super, admin, collab},

	"Imports.Open":     {super, admin},
	"Imports.Inspect":  {super, admin},
	"Imports.Preview":  {super, admin},
	"Imports.Validate": {super, admin},
	"Imports.Run":      {super, admin},
	"Imports.Cancel":   {super, admin},
	"Imports.Close":    {super, admin},
	"Imports.History":  {super, admin},
	"Imports.Undo":     {super, admin},
	"Imports.Export":   {super, admin, collab},

	"Backups.ChooseSaveFile":   {super},
	"Backups.ChooseFolder":     {super},
	"Backups.BackupNow":        {super},
	"Backups.Settings":         {super},
	"Backups.SetSettings":      {super},
	"Backups.List":             {super},
	"Backups.ChooseBackupFile": {anon, super},
	"Backups.Inspect":          {anon, super},
	"Backups.Restore":          {anon, super},

	"Presets.List":   {super, admin},
	"Presets.Save":   {super, admin},
	"Presets.Delete": {super, admin},
}

// boundMethods lists "Service.Method" → the method value, for every bound struct.
func boundMethods(svcs *Services) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	for _, s := range svcs.Bound() {
		v := reflect.ValueOf(s)
		name := v.Elem().Type().Name()
		for i := 0; i < v.NumMethod(); i++ {
			out[name+"."+v.Type().Method(i).Name] = v.Method(i)
		}
	}
	return out
}

// call invokes m with zero values and returns its error result.
func call(m reflect.Value) error {
	args := make([]reflect.Value, m.Type().NumIn())
	for i := range args {
		args[i] = reflect.Zero(m.Type().In(i))
	}
	outs := m.Call(args)
	last := outs[len(outs)-1]
	if last.IsNil() {
		return nil
	}
	return last.Interface().(error)
}

func TestEveryBoundMethodIsInThePermissionTable(t *testing.T) {
	h := newHarness(t)
	methods := boundMethods(h.svcs)
	for name := range methods {
		if _, ok := allowed[name]; !ok {
			t.Errorf("bound method %s has no entry in the permission table: add it to `allowed` here and to `policy`", name)
		}
		if _, ok := policy[name]; !ok {
			t.Errorf("bound method %s has no entry in policy: it is refused to everybody", name)
		}
	}
	for name := range allowed {
		if _, ok := methods[name]; !ok {
			t.Errorf("permission table lists %s, which is not a bound method", name)
		}
	}
	for name := range policy {
		if _, ok := methods[name]; !ok {
			t.Errorf("policy lists %s, which is not a bound method", name)
		}
	}
}

func TestEachRoleGetsExactlyThePermissionsOfTheTable(t *testing.T) {
	h := newHarness(t)
	methods := boundMethods(h.svcs)
	// Before onboarding is a workstation without users.
	before := boundMethods(newEmptyHarness(t).svcs)
	names := make([]string, 0, len(methods))
	for n := range methods {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, p := range all {
			want := contains(allowed[name], p)
			t.Run(name+"/"+p, func(t *testing.T) {
				m := methods[name]
				if p == anon {
					m = before[name]
				} else {
					h.as(t, p)
				}
				err := call(m)
				forbidden := fault.Is(err, fault.Forbidden)
				if want && forbidden {
					t.Fatalf("%s may call %s but got forbidden: %v", p, name, err)
				}
				if !want && !forbidden {
					t.Fatalf("%s must get forbidden from %s, got %v", p, name, err)
				}
			})
		}
	}
}

func TestWithoutADatabaseOnlyPublicMethodsAnswer(t *testing.T) {
	b := &Backend{Vault: vault.NewMemory(), BootErr: context.DeadlineExceeded}
	for name, m := range boundMethods(New(b)) {
		err := call(m)
		if policy[name].anonymous {
			if fault.Is(err, fault.Forbidden) {
				t.Errorf("%s: public method refused without a database: %v", name, err)
			}
			continue
		}
		if !fault.Is(err, fault.StoreUnavailable) {
			t.Errorf("%s without a database: %v; want store_unavailable", name, err)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// secretName matches field names that would carry a secret to the webview.
var secretName = regexp.MustCompile(`(?i)pass(word)?|secret|token|api_?key|credential|private`)

func TestNoDTOCanCarryASecret(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(path string, tp reflect.Type)
	walk = func(path string, tp reflect.Type) {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice || tp.Kind() == reflect.Array || tp.Kind() == reflect.Map {
			tp = tp.Elem()
		}
		if tp.Kind() != reflect.Struct || seen[tp] {
			return
		}
		seen[tp] = true
		for i := 0; i < tp.NumField(); i++ {
			f := tp.Field(i)
			if secretName.MatchString(f.Name) || secretName.MatchString(f.Tag.Get("json")) {
				t.Errorf("%s.%s could carry a secret to the webview", path, f.Name)
			}
			walk(path+"."+f.Name, f.Type)
		}
	}
	h := newHarness(t)
	for name, m := range boundMethods(h.svcs) {
		mt := m.Type()
		for i := 0; i < mt.NumIn(); i++ {
			walk(name+"(in)", mt.In(i))
		}
		for i := 0; i < mt.NumOut(); i++ {
			walk(name+"(out)", mt.Out(i))
		}
	}
	if len(seen) < 3 {
		t.Fatalf("walked only %d DTO types: the walk is broken", len(seen))
	}
}

func TestFormatErrorSendsTheReasonAndItsParamsButNeverTheEnglishText(t *testing.T) {
	reason := fault.Lookup("forbidden")
	fe := reason.New(fault.P{"role": "collaborator"}).WithField("role").WithDetail("550 5.1.1 <x@y>: unknown")
	fe.Err = errors.New("secret path /home/x")
	got := FormatError(fmt.Errorf("api: wrapped: %w", fe)).(ErrorDTO)
	want := ErrorDTO{Code: "forbidden", Reason: "forbidden", Params: map[string]any{"role": "collaborator"}, Class: "permanent",
		Field: "role", Detail: "550 5.1.1 <x@y>: unknown"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("FormatError = %+v, want %+v", got, want)
	}
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), "secret path") || strings.Contains(string(b), reason.English) {
		t.Fatalf("the UI received the English text or the cause: %s", b)
	}
}

func TestFormatErrorHidesInternalsBehindTheInternalReason(t *testing.T) {
	got := FormatError(context.DeadlineExceeded).(ErrorDTO)
	if got.Code != "internal" || got.Reason != "internal" || got.Params != nil || got.Detail != "" {
		t.Fatalf("FormatError(plain error) = %+v; internals must not reach the UI", got)
	}
	got = FormatError(&fault.Error{Code: fault.Network, Message: "built by hand"}).(ErrorDTO)
	if got.Code != "network" || got.Reason != "network" || got.Class != "permanent" {
		t.Fatalf("FormatError(error without a reason) = %+v, want its code as reason", got)
	}
}
