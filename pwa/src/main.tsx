// Entry: mount the app shell. The admin console and workbox-window load on demand.
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
