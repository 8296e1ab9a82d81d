import { mount } from 'svelte';
import App from './App.svelte';
import { setupI18n, systemLanguage } from '$lib/i18n';
import './app.css';

// Start in the system's language; the session replaces it with the remembered one.
setupI18n(systemLanguage());

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
