// The account's sharing as the UI renders it (server-side rendering: the component's markup
// with its texts, no browser needed).
import { render } from 'svelte/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { toFolderSharing } from '$lib/api';
import { setupI18n } from '$lib/i18n';
import fr from '$lib/i18n/fr.json';
import SharingList from './SharingList.svelte';

beforeAll(() => setupI18n('fr'));

describe('SharingList', () => {
  it('says in French that the states stay on this computer when the server refuses keywords', () => {
    // As Filing.Sharing reports a server without keyword support (PERMANENTFLAGS without \*).
    const folders = [toFolderSharing({ accountId: 4, folderId: 1, name: 'INBOX', role: 'inbox', state: 'local' })];
    const { body } = render(SharingList, { props: { folders, accountId: 4, testid: 'account-sharing' } });
    expect(body).toContain('data-state="local"');
    expect(body).toContain(fr.filing.sharing.local);
    expect(body).toContain('restent sur cet ordinateur');
    expect(body).not.toContain(fr.filing.sharing.shared);
  });
});
