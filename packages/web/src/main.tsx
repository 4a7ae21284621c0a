/**
 * Entry point of the web UI.
 * @module
 */
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { GatewayApi, gatewayBase } from './gateway-api.js';
import './style.css';

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(<App api={new GatewayApi(gatewayBase(window.location.pathname))} />);
}
