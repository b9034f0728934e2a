/** Browser entry point (index.html loads this). */
import './styles/index.css';
import { mountApp } from './mount.js';

const root = document.getElementById('app');
if (!root) throw new Error('index.html lacks <div id="app">');
mountApp(root);
