import '../style.css';
import './district.css';
import { DistrictApp } from './DistrictApp.ts';

const root = document.getElementById('app');
if (root) void new DistrictApp(root).start();
