/** Admin console entry point (admin.html loads this). */
import '../styles/index.css';
import './admin.css';
import { render } from 'preact';
import { AdminConsole } from './AdminConsole.js';

const root = document.getElementById('admin');
if (!root) throw new Error('admin.html lacks <div id="admin">');
render(<AdminConsole baseUrl={window.location.origin} />, root);
